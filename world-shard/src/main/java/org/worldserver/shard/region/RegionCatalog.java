package org.worldserver.shard.region;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * This node's copy of the {@link RegionRegistry}: refreshed every {@code world.region-catalog.refresh-interval}
 * and after every change made through this node, so a region defined or closed elsewhere is seen here within
 * that interval. Read from any thread.
 */
public final class RegionCatalog implements Extension {

    private static final ExtensionId<RegionCatalog> ID = new ExtensionId<>() {
        @Override
        public RegionCatalog createExtension(ActorSystem<?> system) {
            return new RegionCatalog(system);
        }
    };

    private final ActorSystem<?> system;
    private final Duration askTimeout;
    private final AtomicReference<Map<String, RegionRegistry.RegionRecord>> regions = new AtomicReference<>(Map.of());

    private RegionCatalog(ActorSystem<?> system) {
        this.system = system;
        this.askTimeout = system.settings().config().getDuration("world.region-catalog.ask-timeout");
    }

    public static RegionCatalog get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** Starts the periodic refresh; call once, after the RegionRegistry entity type is initialised. */
    public void startRefreshing() {
        Duration every = system.settings().config().getDuration("world.region-catalog.refresh-interval");
        system.scheduler().scheduleWithFixedDelay(every, every, this::refreshQuietly, system.executionContext());
    }

    /** Asks the registry now; completes with the fresh regions (and keeps them). */
    public CompletionStage<Map<String, RegionRegistry.RegionRecord>> refresh() {
        return RegionRegistry.ref(system)
                .ask(RegionRegistry.Get::new, askTimeout)
                .thenApply(answer -> {
                    regions.set(answer.regions());
                    return answer.regions();
                });
    }

    private void refreshQuietly() {
        refresh().whenComplete((ok, error) -> {
            if (error != null) {
                system.log().debug("Region catalog not refreshed: {}", error.toString());
            }
        });
    }

    /** Every region known at the last refresh, open or closed, by name. */
    public Map<String, RegionRegistry.RegionRecord> all() {
        return regions.get();
    }

    /** The region named {@code name} if it is open (as of the last refresh). */
    public Optional<RegionDefinition> open(String name) {
        RegionRegistry.RegionRecord r = regions.get().get(name);
        return r != null && r.open() ? Optional.of(r.definition()) : Optional.empty();
    }
}
