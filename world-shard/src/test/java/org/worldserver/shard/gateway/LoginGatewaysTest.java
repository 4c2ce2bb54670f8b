package org.worldserver.shard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.worldserver.shard.gateway.LoginGateways.Endpoint;

class LoginGatewaysTest {

    private static final Endpoint OWN = new Endpoint("127.0.0.1", 40123, 40124);

    private static Endpoint of(String endpoint, String replyControl) {
        return LoginGateways.endpointOf(
                new SessionHandoffs.GatewayAddress(endpoint, replyControl, "key-1"), "key-1", OWN);
    }

    @Test
    void shouldNameAPublishedGatewayByItsHostPortAndReplyPort() {
        assertEquals(new Endpoint("10.0.0.7", 40134, 40135), of("10.0.0.7:40134", "10.0.0.7:40135"));
        assertEquals(new Endpoint("node-2.world", 1, 65535), of("node-2.world:1", "node-2.world:65535"));
    }

    @Test
    void shouldFallBackToThisNodesGatewayWhenTheAddressIsMissingUnderAnotherKeyOrNotHostAndPort() {
        assertEquals(OWN, LoginGateways.endpointOf(null, "key-1", OWN), "the node published no gateway");
        assertEquals(
                OWN,
                LoginGateways.endpointOf(
                        new SessionHandoffs.GatewayAddress("10.0.0.7:40134", "10.0.0.7:40135", "key-2"), "key-1", OWN),
                "its gateway takes tokens under another key");
        assertEquals(
                OWN,
                LoginGateways.endpointOf(
                        new SessionHandoffs.GatewayAddress("10.0.0.7:40134", "10.0.0.7:40135", null), "key-1", OWN),
                "it published no key id");
        assertEquals(OWN, of("10.0.0.7", "10.0.0.7:40135"), "no port");
        assertEquals(OWN, of("10.0.0.7:udp", "10.0.0.7:40135"), "a port that is not a number");
        assertEquals(OWN, of("10.0.0.7:40134", "10.0.0.7:"), "an empty reply port");
    }

    /** The shipped settings with the token key {@code text} (base64 of it; none when empty), whatever the env. */
    private static GatewaySettings withKey(String text) {
        String key = Base64.getEncoder().encodeToString(text.getBytes());
        return new GatewaySettings(ConfigFactory.parseString("world.gateway.token-key = \"" + key + "\"")
                .withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void shouldNameATokenKeyAlikeOnEveryNodeThatSharesItWithoutShowingIt() {
        String key = "the cluster's shared 32-byte key";
        GatewaySettings one = withKey(key);
        assertEquals(one.keyId(), withKey(key).keyId(), "every node with the key names it alike");
        assertNotEquals(one.keyId(), withKey("a rotated key, 32 bytes or more!").keyId());
        assertEquals(11, one.keyId().length(), "8 bytes, base64url");
        assertFalse(Base64.getEncoder().encodeToString(key.getBytes()).contains(one.keyId()));
        assertTrue(one.loginsAtCellNode(), "on by default once the key is shared");
        assertFalse(withKey("").loginsAtCellNode(), "a node's own random key: handoffs and sending logins on are off");
    }
}
