package org.worldserver.attention;

import java.util.Map;

/**
 * Predicts each shard's importance over the next interval from its recent telemetry: the attention-seconds per
 * second its avatars will receive (the load a crowd puts on a node grows with it). Implementations are called by one
 * actor at a time.
 */
public interface ImportanceModel {

    /** A name for decisions and logs. */
    String name();

    /** The predicted importance of every shard with history, each at least 0. */
    Map<String, Double> predict(TelemetryHistory history);
}
