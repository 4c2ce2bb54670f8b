package org.worldserver.timebank;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.persistence.RememberedEntities;

/**
 * The time bank on a node: registers the Account and Transfer entity types with Cluster Sharding and asks them.
 * Thread-safe; every method is asynchronous.
 */
public final class TimeBank implements Bank {

    /**
     * The {@code world.timebank} section.
     *
     * @param transferRetry how long a transfer waits for an account's answer before asking again
     * @param askTimeout how long callers wait for an account or a settled transfer
     * @param treasuryAccount the operator treasury's account id
     * @param microCreditsPerAttentionSecond the price of one second of full attention
     * @param deposits the terms time deposits open on; {@code loans} the rules loans follow
     */
    public record Settings(
            Duration transferRetry,
            Duration askTimeout,
            String treasuryAccount,
            long microCreditsPerAttentionSecond,
            Deposit.Terms deposits,
            Loan.Rules loans) {
        public static Settings fromRootConfig(Config root) {
            Config c = root.getConfig("world.timebank");
            Config d = c.getConfig("deposits");
            Config l = c.getConfig("loans");
            return new Settings(
                    c.getDuration("transfer-retry"),
                    c.getDuration("ask-timeout"),
                    c.getString("treasury-account"),
                    c.getLong("micro-credits-per-attention-second"),
                    new Deposit.Terms(
                            d.getLong("annual-rate-bps"),
                            d.getDuration("min-term"),
                            d.getDuration("max-term"),
                            d.getInt("interest-attempts")),
                    new Loan.Rules(
                            l.getLong("max-annual-rate-bps"),
                            l.getDuration("max-term"),
                            l.getLong("late-fee-bps"),
                            l.getDuration("collect-every")));
        }
    }

    /** Pays the world's attention batches through this bank, at the configured price. */
    public AttentionSettlement attentionSettlement() {
        return new AttentionSettlement(this, settings.treasuryAccount(), settings.microCreditsPerAttentionSecond());
    }

    private final ClusterSharding sharding;
    private final Settings settings;

    private TimeBank(ClusterSharding sharding, Settings settings) {
        this.sharding = sharding;
        this.settings = settings;
    }

    /** Registers the bank's entity types on this node (every node of the cluster does). */
    public static TimeBank init(ActorSystem<?> system) {
        TimeBank bank = get(system);
        ClusterSharding sharding = bank.sharding;
        Settings settings = bank.settings;
        sharding.init(Entity.of(Account.ENTITY_KEY, ctx -> Account.create(ctx.getEntityId(), Clock.systemUTC())));
        // Transfers, deposits and loans are remembered: a crash never leaves one half done, and deposits and loans
        // wake for their maturity or due time.
        ClusterShardingSettings remembering = RememberedEntities.settings(system);
        sharding.init(Entity.of(
                        Transfer.ENTITY_KEY,
                        ctx -> Transfer.create(
                                ctx.getEntityId(),
                                bank::account,
                                Clock.systemUTC(),
                                settings.transferRetry(),
                                RememberedEntities.passivate(ctx)))
                .withSettings(remembering));
        sharding.init(Entity.of(
                        Deposit.ENTITY_KEY,
                        ctx -> Deposit.create(
                                ctx.getEntityId(),
                                bank,
                                settings.treasuryAccount(),
                                settings.deposits(),
                                Clock.systemUTC(),
                                settings.transferRetry(),
                                RememberedEntities.passivate(ctx)))
                .withSettings(remembering));
        sharding.init(Entity.of(
                        Loan.ENTITY_KEY,
                        ctx -> Loan.create(
                                ctx.getEntityId(),
                                bank,
                                settings.loans(),
                                Clock.systemUTC(),
                                settings.transferRetry(),
                                RememberedEntities.passivate(ctx)))
                .withSettings(remembering));
        return bank;
    }

    /** The time bank of {@code system}, to ask (its entity types are registered by {@link #init}). */
    public static TimeBank get(ActorSystem<?> system) {
        return new TimeBank(
                ClusterSharding.get(system),
                Settings.fromRootConfig(system.settings().config()));
    }

    public Settings settings() {
        return settings;
    }

    /** Asks account {@code id}; fails with a timeout when it does not answer. */
    @Override
    public CompletionStage<StatusReply<Account.Summary>> account(
            String id, Function<ActorRef<StatusReply<Account.Summary>>, Account.Command> command) {
        return sharding.entityRefFor(Account.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }

    @Override
    public CompletionStage<StatusReply<Transfer.Summary>> transfer(
            String id, Function<ActorRef<StatusReply<Transfer.Summary>>, Transfer.Command> command) {
        return sharding.entityRefFor(Transfer.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }

    /** Asks deposit {@code id}; an Open is answered once it is active or voided, a Withdraw once withdrawn. */
    public CompletionStage<StatusReply<Deposit.Summary>> deposit(
            String id, Function<ActorRef<StatusReply<Deposit.Summary>>, Deposit.Command> command) {
        return sharding.entityRefFor(Deposit.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }

    /** Asks loan {@code id}; an Open is answered once disbursed or voided, a Repay once its transfer settled. */
    public CompletionStage<StatusReply<Loan.Summary>> loan(
            String id, Function<ActorRef<StatusReply<Loan.Summary>>, Loan.Command> command) {
        return sharding.entityRefFor(Loan.ENTITY_KEY, id).ask(command::apply, settings.askTimeout());
    }
}
