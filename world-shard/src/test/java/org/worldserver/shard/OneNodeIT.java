package org.worldserver.shard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;

/**
 * What the integration tests against one whole node share: the node, with the shipped configuration (and the class's
 * {@link WithSettings}, if any) on the real Cassandra, started before the class's tests and stopped after them.
 */
@ExtendWith(RealCassandra.class)
abstract class OneNodeIT {

    static WorldNode node;

    @BeforeAll
    static void startNode(TestInfo test) throws Exception {
        node = InProcessNode.start(test.getTestClass()
                .map(c -> c.getAnnotation(WithSettings.class))
                .map(WithSettings::value)
                .orElse(""));
    }

    @AfterAll
    static void stopNode() throws Exception {
        InProcessNode.stop(node);
    }
}
