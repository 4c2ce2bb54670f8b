package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.worldserver.persistence.audit.Chained;
import org.worldserver.persistence.audit.HashChain;
import org.worldserver.timebank.Account;
import org.worldserver.timebank.LedgerCheck;
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
 * GET  /ledger/check        every account: Σ balances = minted − burned, none below its overdraft   200 | 409
 * POST /transfers           {"id", "from", "to", "amount"}   201 once settled: POSTED, or VOIDED with the reason
 * GET  /transfers/{id}                                                                            200 | 404 transfer-unknown
 * POST /treasury/mint       {"reference", "amount", "reason"}  201 the treasury (opened on first use); once per reference
 * </pre>
 *
 * Handlers run on the HTTP server's threads and only ask entities (asynchronous).
 */
public final class BankRoutes extends AllDirectives implements ManagementRouteProvider {

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
                        path("accounts", () -> entity(Unmarshaller.entityToString(), this::open)),
                        path("transfers", () -> entity(Unmarshaller.entityToString(), this::transfer)),
                        path(
                                PathMatchers.segment("treasury").slash("mint"),
                                () -> entity(Unmarshaller.entityToString(), this::mint)))),
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
                        path(PathMatchers.segment("transfers").slash(PathMatchers.segment()), this::transferStatus)))));
    }

    private Route open(String body) {
        JsonNode json = json(body);
        Account.Kind kind = kind(json == null ? null : json.path("kind").asText(null));
        if (json == null
                || !json.path("id").isTextual()
                || !json.path("owner").isTextual()
                || kind == null
                || !(json.path("overdraftLimit").isMissingNode()
                        || json.path("overdraftLimit").isIntegralNumber())) {
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

    private CassandraReadJournal journal() {
        return PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    }

    /** The account's events as the journal in Cassandra holds them, in order. */
    private CompletionStage<List<Account.Event>> journalOf(String id) {
        return journal()
                .currentEventsByPersistenceId(Account.ENTITY_KEY.name() + "|" + id, 0L, Long.MAX_VALUE)
                .map(e -> (Account.Event) e.event())
                .runWith(Sink.seq(), system);
    }

    private Route statement(String id) {
        return onSuccess(
                journalOf(id),
                events -> events.isEmpty()
                        ? error(StatusCodes.NOT_FOUND, "account-not-open", "no account " + id)
                        : JsonReplies.json(new AccountStatement(id, Statement.of(events))));
    }

    /** What {@code /statement} answers. */
    public record AccountStatement(String account, List<Statement.Line> lines) {}

    /** Every account in the journal, asked for its summary, then checked as one ledger. */
    private Route ledgerCheck() {
        String prefix = Account.ENTITY_KEY.name() + "|";
        CompletionStage<List<String>> ids = journal()
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
        return onSuccess(journalOf(id), events -> {
            List<Chained<?>> chained =
                    events.stream().<Chained<?>>map(e -> (Chained<?>) e).toList();
            HashChain.Verdict verdict = HashChain.verify(chained);
            return JsonReplies.json(new Verified(
                    id, verdict.intact(), verdict.events(), verdict.firstBadSequence(), verdict.problem()));
        });
    }

    /** What {@code /verify} answers. */
    public record Verified(String account, boolean intact, long events, long firstBadSequence, String problem) {}

    private Route transfer(String body) {
        JsonNode json = json(body);
        if (json == null
                || !json.path("id").isTextual()
                || !json.path("from").isTextual()
                || !json.path("to").isTextual()
                || !json.path("amount").isIntegralNumber()
                || !json.path("amount").canConvertToLong()) {
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

    private Route mint(String body) {
        JsonNode json = json(body);
        if (json == null
                || !json.path("reference").isTextual()
                || !json.path("amount").isIntegralNumber()
                || !json.path("amount").canConvertToLong()) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "mint-invalid",
                    "expected {\"reference\": text, \"amount\": micro-credits, \"reason\"?: text}");
        }
        String treasury = bank.settings().treasuryAccount();
        String reference = json.get("reference").asText();
        long amount = json.get("amount").asLong();
        String reason = json.path("reason").asText("mint");
        CompletionStage<StatusReply<Account.Summary>> minted = bank.account(
                        treasury, r -> new Account.Open("operator", Account.Kind.OPERATOR_TREASURY, 0, r))
                .thenCompose(opened -> opened.isError()
                        ? CompletableFuture.completedFuture(opened)
                        : bank.account(treasury, r -> new Account.Mint(reference, amount, reason, r)));
        return answer(minted, StatusCodes.CREATED);
    }

    /** An entity's answer: its summary with {@code ok}, or its refusal with the status its code calls for. */
    private <T> Route answer(CompletionStage<StatusReply<T>> reply, StatusCode ok) {
        return onSuccess(reply, r -> {
            if (r.isSuccess()) {
                return JsonReplies.json(ok, r.getValue());
            }
            String message = r.getError().getMessage();
            String code = message.contains(":") ? message.substring(0, message.indexOf(':')) : "bank-error";
            return error(statusOf(code), code, message);
        });
    }

    /** Not found for unknown things, bad request for bad input, conflict for what the ledger's state forbids. */
    static StatusCode statusOf(String code) {
        switch (code) {
            case "account-not-open", "transfer-unknown", "hold-unknown":
                return StatusCodes.NOT_FOUND;
            case "amount-invalid", "amount-overflow", "account-invalid", "transfer-invalid", "account-not-treasury":
                return StatusCodes.BAD_REQUEST;
            default:
                return StatusCodes.CONFLICT;
        }
    }

    private static Account.Kind kind(String name) {
        try {
            return name == null ? null : Account.Kind.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static JsonNode json(String body) {
        try {
            return JsonReplies.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
