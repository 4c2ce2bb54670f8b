package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;
import org.worldserver.persistence.ClientIds;
import org.worldserver.timebank.Account;
import org.worldserver.timebank.Deposit;
import org.worldserver.timebank.LedgerCheck;
import org.worldserver.timebank.Loan;
import org.worldserver.timebank.Statement;
import org.worldserver.timebank.TimeBank;
import org.worldserver.timebank.Transfer;

/**
 * The time bank's operator API (JSON; amounts are integer micro-credits; errors {@code {"error": code, "message":
 * text}} with the accounts' stable codes):
 *
 * <pre>
 * POST /accounts            {"id", "owner", "kind": AVATAR|VENUE|OPERATOR_TREASURY, "overdraftLimit"?}  201 the account
 * GET  /accounts/{id}                                                                             200 | 404 account-not-open
 * GET  /accounts/{id}/verify   its hash chain, read back from the journal: intact, or the first bad event and why
 * GET  /accounts/{id}/statement  its events from the journal with running balance and held amount
 * GET  /ledger/check        every account: free + held + deposited = minted − burned, none below its overdraft  200 | 409
 * POST /transfers           {"id", "from", "to", "amount"}   201 once settled: POSTED, or VOIDED with the reason
 * GET  /transfers/{id}                                                                            200 | 404 transfer-unknown
 * POST /treasury/mint       {"reference", "amount", "reason"?}  201 the treasury (opened on first use); once per reference
 * POST /treasury/burn       {"reference", "amount", "reason"?}  201 the treasury; once per reference
 * POST /accounts/{id}/holds {"id", "amount", "expiresAt": ISO instant, "reason"?}                201 the account
 * POST /accounts/{id}/holds/{hold}/capture {"to", "amount"}  201 transfer capture:{id}:{hold} once settled (escrow)
 * POST /accounts/{id}/holds/{hold}/release {"reason"?}                                           200 the account
 * POST /deposits            {"id", "account", "amount", "term": ISO duration}   201 once ACTIVE, or VOIDED with the reason
 * GET  /deposits/{id}                                                                             200 | 404 deposit-unknown
 * POST /deposits/{id}/withdraw   early: the principal back, the interest forfeited               200 | 409 deposit-not-active
 * POST /loans               {"id", "lender", "borrower", "amount", "annualRateBps", "dueAt": ISO instant}  201 once disbursed
 * GET  /loans/{id}                                                                                200 | 404 loan-unknown
 * POST /loans/{id}/repayments {"id", "amount"}   201 the loan once the payment posted | 409 with the account's refusal
 * </pre>
 *
 * Client-chosen ids are 1-128 characters without ':' ({@link EntityRoutes#ids}). Handlers run on the HTTP server's
 * threads and only ask entities (asynchronous).
 */
public final class BankRoutes extends EntityRoutes implements ManagementRouteProvider {

    private final ActorSystem<?> system;
    private final TimeBank bank;

    public BankRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
        this.bank = TimeBank.get(this.system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> concat(
                post(() -> concat(
                        path("accounts", () -> body(this::open)),
                        path("transfers", () -> body(this::transfer)),
                        path(PathMatchers.segment("treasury").slash("mint"), () -> body(b -> treasury(b, true))),
                        path(PathMatchers.segment("treasury").slash("burn"), () -> body(b -> treasury(b, false))),
                        path(
                                PathMatchers.segment("accounts")
                                        .slash(PathMatchers.segment())
                                        .slash("holds"),
                                account -> body(b -> hold(account, b))),
                        path(
                                PathMatchers.segment("accounts")
                                        .slash(PathMatchers.segment())
                                        .slash("holds")
                                        .slash(PathMatchers.segment())
                                        .slash("capture"),
                                (account, hold) -> ClientIds.valid(account) && ClientIds.valid(hold)
                                        ? body(b -> capture(account, hold, b))
                                        : badPathId("hold-invalid", account + "/" + hold)),
                        path(
                                PathMatchers.segment("accounts")
                                        .slash(PathMatchers.segment())
                                        .slash("holds")
                                        .slash(PathMatchers.segment())
                                        .slash("release"),
                                (account, hold) -> ClientIds.valid(account) && ClientIds.valid(hold)
                                        ? entity(
                                                Unmarshaller.entityToString(),
                                                text -> release(account, hold, json(text)))
                                        : badPathId("hold-invalid", account + "/" + hold)),
                        path("deposits", () -> body(this::deposit)),
                        path(
                                PathMatchers.segment("deposits")
                                        .slash(PathMatchers.segment())
                                        .slash("withdraw"),
                                id -> answer(bank.deposit(id, Deposit.Withdraw::new), StatusCodes.OK)),
                        path("loans", () -> body(this::loan)),
                        path(
                                PathMatchers.segment("loans")
                                        .slash(PathMatchers.segment())
                                        .slash("repayments"),
                                id -> body(b -> repay(id, b))))),
                get(() -> concat(
                        path(
                                PathMatchers.segment("accounts")
                                        .slash(PathMatchers.segment())
                                        .slash("verify"),
                                this::verify),
                        path(
                                PathMatchers.segment("accounts")
                                        .slash(PathMatchers.segment())
                                        .slash("statement"),
                                this::statement),
                        path(PathMatchers.segment("ledger").slash("check"), this::ledgerCheck),
                        path(PathMatchers.segment("accounts").slash(PathMatchers.segment()), this::account),
                        path(PathMatchers.segment("transfers").slash(PathMatchers.segment()), this::transferStatus),
                        path(
                                PathMatchers.segment("deposits").slash(PathMatchers.segment()),
                                id -> answer(bank.deposit(id, Deposit.Get::new), StatusCodes.OK)),
                        path(
                                PathMatchers.segment("loans").slash(PathMatchers.segment()),
                                id -> answer(bank.loan(id, Loan.Get::new), StatusCodes.OK))))));
    }

    private Route open(JsonNode json) {
        Account.Kind kind = kind(json.path("kind").asText(null));
        if (!ids(json, "id")
                || !json.path("owner").isTextual()
                || kind == null
                || !(json.path("overdraftLimit").isMissingNode() || micros(json, "overdraftLimit"))) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "account-invalid",
                    "expected {\"id\": text, \"owner\": text, \"kind\": AVATAR|VENUE|OPERATOR_TREASURY,"
                            + " \"overdraftLimit\"?: micro-credits}");
        }
        String owner = json.get("owner").asText();
        long overdraft = json.path("overdraftLimit").asLong(0);
        return answer(
                bank.account(json.get("id").asText(), r -> new Account.Open(owner, kind, overdraft, r)),
                StatusCodes.CREATED);
    }

    private Route account(String id) {
        return answer(bank.account(id, Account.Get::new), StatusCodes.OK);
    }

    private Route statement(String id) {
        return onSuccess(
                EntityRoutes.<Account.Event>eventsOf(system, Account.ENTITY_KEY.name() + "|" + id),
                events -> events.isEmpty()
                        ? error(StatusCodes.NOT_FOUND, "account-not-open", "no account " + id)
                        : JsonReplies.json(new AccountStatement(id, Statement.of(events))));
    }

    /** What {@code /statement} answers. */
    public record AccountStatement(String account, List<Statement.Line> lines) {}

    /** Every account in the journal, asked for its summary, then checked as one ledger. */
    private Route ledgerCheck() {
        String prefix = Account.ENTITY_KEY.name() + "|";
        CompletionStage<List<String>> ids = journal(system)
                .currentPersistenceIds()
                .filter(p -> p.startsWith(prefix))
                .map(p -> p.substring(prefix.length()))
                .runWith(Sink.seq(), system);
        CompletionStage<LedgerCheck> check = ids.thenCompose(list -> {
            List<CompletableFuture<StatusReply<Account.Summary>>> asks = list.stream()
                    .map(id -> bank.account(id, Account.Get::new).toCompletableFuture())
                    .toList();
            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                    .thenApply(done -> LedgerCheck.of(asks.stream()
                            .map(CompletableFuture::join)
                            .filter(StatusReply::isSuccess)
                            .map(StatusReply::getValue)
                            .toList()));
        });
        return onSuccess(check, c -> JsonReplies.json(c.ok() ? StatusCodes.OK : StatusCodes.CONFLICT, c));
    }

    private Route verify(String id) {
        return verify(system, Account.ENTITY_KEY.name() + "|" + id, id, "account-not-open");
    }

    private Route transfer(JsonNode json) {
        if (!ids(json, "id", "from", "to") || !micros(json, "amount")) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "transfer-invalid",
                    "expected {\"id\": text, \"from\": account, \"to\": account, \"amount\": micro-credits}");
        }
        String from = json.get("from").asText();
        String to = json.get("to").asText();
        long amount = json.get("amount").asLong();
        return answer(
                bank.transfer(json.get("id").asText(), r -> new Transfer.Start(from, to, amount, r)),
                StatusCodes.CREATED);
    }

    private Route transferStatus(String id) {
        return answer(bank.transfer(id, Transfer.Get::new), StatusCodes.OK);
    }

    /** A mint ({@code mint}) or a burn in the operator treasury, once per reference. */
    private Route treasury(JsonNode json, boolean mint) {
        if (!ids(json, "reference") || !micros(json, "amount")) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    mint ? "mint-invalid" : "burn-invalid",
                    "expected {\"reference\": text, \"amount\": micro-credits, \"reason\"?: text}");
        }
        String treasury = bank.settings().treasuryAccount();
        String reference = json.get("reference").asText();
        long amount = json.get("amount").asLong();
        String reason = json.path("reason").asText(mint ? "mint" : "burn");
        return answer(
                mint
                        ? bank.mintInTreasury(treasury, reference, amount, reason)
                        : bank.account(treasury, r -> new Account.Burn(reference, amount, reason, r)),
                StatusCodes.CREATED);
    }

    private Route hold(String account, JsonNode json) {
        Instant expiresAt = instant(json.path("expiresAt"));
        if (!ids(json, "id") || !micros(json, "amount") || expiresAt == null) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "hold-invalid",
                    "expected {\"id\": text, \"amount\": micro-credits, \"expiresAt\": ISO-8601 instant,"
                            + " \"reason\"?: text}");
        }
        String id = json.get("id").asText();
        long amount = json.get("amount").asLong();
        String reason = json.path("reason").asText("escrow");
        return answer(
                bank.account(account, r -> new Account.PlaceHold(id, amount, expiresAt, reason, r)),
                StatusCodes.CREATED);
    }

    /**
     * Moves an escrow hold to {@code to} as transfer {@code capture:<account>:<hold>}, once however often asked. A
     * capture not yet started is checked first (the hold open and of that amount, {@code to} open), so that a
     * mistaken request is refused and changes nothing rather than spending the capture's id.
     */
    private Route capture(String account, String hold, JsonNode json) {
        if (!ids(json, "to") || !micros(json, "amount")) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "transfer-invalid",
                    "expected {\"to\": account, \"amount\": the hold's micro-credits}");
        }
        String to = json.get("to").asText();
        long amount = json.get("amount").asLong();
        String transferId = "capture:" + account + ":" + hold;
        Function<ActorRef<StatusReply<Transfer.Summary>>, Transfer.Command> start =
                r -> new Transfer.Start(account, to, amount, hold, r);
        CompletionStage<StatusReply<Transfer.Summary>> captured = bank.transfer(transferId, Transfer.Get::new)
                .thenCompose(known -> known.isSuccess()
                        ? bank.transfer(transferId, start) // started before: its outcome, or id-reused
                        : bank.account(account, Account.Get::new).thenCompose(from -> {
                            String refusal = captureRefusal(from, hold, amount);
                            return refusal != null
                                    ? CompletableFuture.completedFuture(StatusReply.<Transfer.Summary>error(refusal))
                                    : bank.account(to, Account.Get::new).thenCompose(dest -> {
                                        if (dest.isError()) {
                                            return CompletableFuture.completedFuture(
                                                    StatusReply.<Transfer.Summary>error(dest.getError()));
                                        }
                                        if (dest.getValue().status() == Account.Status.CLOSED) {
                                            return CompletableFuture.completedFuture(
                                                    StatusReply.<Transfer.Summary>error(
                                                            "account-closed: account " + to + " is closed"));
                                        }
                                        return bank.transfer(transferId, start);
                                    });
                        }));
        return answer(captured, StatusCodes.CREATED);
    }

    /** Why hold {@code hold} of the account in {@code from} cannot be captured for {@code amount}, or null. */
    private static String captureRefusal(StatusReply<Account.Summary> from, String hold, long amount) {
        if (from.isError()) {
            return from.getError().getMessage();
        }
        Account.Hold h = from.getValue().holds().get(hold);
        if (h == null) {
            return "hold-unknown: no open hold " + hold + " on "
                    + from.getValue().id();
        }
        if (h.owner() != null) {
            return "hold-pinned: hold " + hold + " belongs to " + h.owner();
        }
        if (h.amount() != amount) {
            return "amount-invalid: hold " + hold + " is of " + h.amount() + ", not " + amount;
        }
        return null;
    }

    /** The body is optional: {@code {"reason": text}}. */
    private Route release(String account, String hold, JsonNode json) {
        String reason = json == null ? "released" : json.path("reason").asText("released");
        return answer(bank.account(account, r -> new Account.Release(hold, reason, r)), StatusCodes.OK);
    }

    private Route deposit(JsonNode json) {
        Duration term = duration(json.path("term"));
        if (!ids(json, "id", "account") || !micros(json, "amount") || term == null) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "deposit-invalid",
                    "expected {\"id\": text, \"account\": account, \"amount\": micro-credits,"
                            + " \"term\": ISO-8601 duration such as P30D}");
        }
        String account = json.get("account").asText();
        long amount = json.get("amount").asLong();
        return answer(
                bank.deposit(json.get("id").asText(), r -> new Deposit.Open(account, amount, term, r)),
                StatusCodes.CREATED);
    }

    private Route loan(JsonNode json) {
        Instant dueAt = instant(json.path("dueAt"));
        if (!ids(json, "id", "lender", "borrower")
                || !micros(json, "amount")
                || !micros(json, "annualRateBps")
                || dueAt == null) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "loan-invalid",
                    "expected {\"id\": text, \"lender\": account, \"borrower\": account, \"amount\": micro-credits,"
                            + " \"annualRateBps\": basis points, \"dueAt\": ISO-8601 instant}");
        }
        String lender = json.get("lender").asText();
        String borrower = json.get("borrower").asText();
        long amount = json.get("amount").asLong();
        long rate = json.get("annualRateBps").asLong();
        return answer(
                bank.loan(json.get("id").asText(), r -> new Loan.Open(lender, borrower, amount, rate, dueAt, r)),
                StatusCodes.CREATED);
    }

    private Route repay(String loan, JsonNode json) {
        if (!ids(json, "id") || !micros(json, "amount")) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "loan-invalid",
                    "expected {\"id\": the payment's id, \"amount\": micro-credits}");
        }
        String payment = json.get("id").asText();
        long amount = json.get("amount").asLong();
        return answer(bank.loan(loan, r -> new Loan.Repay(payment, amount, r)), StatusCodes.CREATED);
    }

    private static Account.Kind kind(String name) {
        try {
            return name == null ? null : Account.Kind.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
