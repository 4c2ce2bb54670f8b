package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.worldserver.shard.gateway.LoginGateways.Endpoint;

class LoginGatewaysTest {

    private static final Endpoint OWN = new Endpoint("127.0.0.1", 40123, 40124);

    private static Endpoint of(String endpoint, String replyControl) {
        return LoginGateways.endpointOf(new SessionHandoffs.GatewayAddress(endpoint, replyControl), OWN);
    }

    @Test
    void shouldNameAPublishedGatewayByItsHostPortAndReplyPort() {
        assertEquals(new Endpoint("10.0.0.7", 40134, 40135), of("10.0.0.7:40134", "10.0.0.7:40135"));
        assertEquals(new Endpoint("node-2.world", 1, 65535), of("node-2.world:1", "node-2.world:65535"));
    }

    @Test
    void shouldFallBackToThisNodesGatewayWhenTheAddressIsMissingOrNotHostAndPort() {
        assertEquals(OWN, LoginGateways.endpointOf(null, OWN), "the node published no gateway");
        assertEquals(OWN, of("10.0.0.7", "10.0.0.7:40135"), "no port");
        assertEquals(OWN, of("10.0.0.7:udp", "10.0.0.7:40135"), "a port that is not a number");
        assertEquals(OWN, of("10.0.0.7:40134", "10.0.0.7:"), "an empty reply port");
    }
}
