package org.worldserver.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.worldserver.persistence.testkit.RealCassandra;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.SessionLogin;

/**
 * {@code POST /sessions} on a whole node with the real Cassandra: a login signed with the avatar's registered
 * identity key gets a connect token the node's key verifies, bound to the avatar and nonce; forged, skewed,
 * unknown and malformed logins get their error codes and no token.
 */
@ExtendWith(RealCassandra.class)
class SessionLoginIT {

    private static final String KEY_BASE64 =
            Base64.getEncoder().encodeToString("a test key of thirty-two bytes!!".getBytes());
    private static WorldNode node;

    @BeforeAll
    static void start() throws Exception {
        node = InProcessNode.start("world.gateway.token-key = \"" + KEY_BASE64 + "\"");
    }

    @AfterAll
    static void stop() throws Exception {
        InProcessNode.stop(node);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return InProcessNode.post(node, "/sessions", body);
    }

    private static String body(SessionLogin login, String signature) {
        return InProcessNode.loginBody(login, signature);
    }

    @Test
    void shouldGrantATokenForALoginSignedWithTheAvatarsKeyAndRefuseEverythingElse() throws Exception {
        String id = "login-" + UUID.randomUUID();
        byte[][] identity = InProcessNode.registerAvatar(node, id);

        SessionLogin login = new SessionLogin(id, 777L, System.currentTimeMillis());
        HttpResponse<String> granted = post(body(login, login.sign(identity[0])));
        assertEquals(201, granted.statusCode(), granted.body());
        JsonNode grant = new ObjectMapper().readTree(granted.body());
        assertEquals(id, grant.get("avatar").asText());
        assertEquals(
                node.system().settings().config().getInt("world.gateway.port"),
                grant.get("port").asInt());
        byte[] token = ConnectToken.fromText(grant.get("token").asText());
        byte[] key = Base64.getDecoder().decode(KEY_BASE64);
        ConnectToken.Verified verified =
                ConnectToken.verify(token, 0, token.length, key, 777L, System.currentTimeMillis());
        assertTrue(verified.ok(), verified.toString());
        assertEquals(id, verified.token().avatarId());
        assertEquals(
                ConnectToken.Problem.WRONG_NONCE,
                ConnectToken.verify(token, 0, token.length, key, 778L, System.currentTimeMillis())
                        .problem());

        byte[][] eve = SessionLogin.newIdentity();
        assertError(post(body(login, login.sign(eve[0]))), 401, "session-signature-invalid");
        SessionLogin old = new SessionLogin(id, 778L, System.currentTimeMillis() - 120_000);
        assertError(post(body(old, old.sign(identity[0]))), 401, "session-clock-skew");
        SessionLogin nobody = new SessionLogin("nobody-" + UUID.randomUUID(), 1L, System.currentTimeMillis());
        assertError(post(body(nobody, nobody.sign(identity[0]))), 404, "avatar-not-registered");
        assertError(post("{\"avatar\": 12}"), 400, "session-invalid");
        assertError(post("not json"), 400, "session-invalid");
        SessionLogin badId = new SessionLogin("not an id", 1L, System.currentTimeMillis());
        assertError(post(body(badId, "AAAA")), 400, "avatar-invalid-id");
    }

    @Test
    void shouldRegisterAnAvatarOnceWithAValidKeyAndLetItLogIn() throws Exception {
        String id = "signup-" + UUID.randomUUID();
        byte[][] identity = SessionLogin.newIdentity();
        String key = Base64.getEncoder().encodeToString(identity[1]);
        String register = "{\"id\": \"" + id + "\", \"displayName\": \"Sam\", \"publicKey\": \"" + key + "\"}";
        HttpResponse<String> created = InProcessNode.post(node, "/avatars", register);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode avatar = new ObjectMapper().readTree(created.body());
        assertEquals(id, avatar.get("id").asText());
        assertEquals("lobby", avatar.get("homeRegion").asText(), "the fallback region when none is named");

        assertError(InProcessNode.post(node, "/avatars", register), 409, "avatar-already-registered");
        assertError(
                InProcessNode.post(
                        node,
                        "/avatars",
                        "{\"id\": \"x-" + id + "\", \"displayName\": \"Sam\", \"publicKey\": \"AAAA\"}"),
                400,
                "avatar-invalid-public-key");
        assertError(InProcessNode.post(node, "/avatars", "{\"id\": 5}"), 400, "avatar-invalid");
        assertError(
                InProcessNode.post(
                        node,
                        "/avatars",
                        "{\"id\": \"no spaces\", \"displayName\": \"Sam\", \"publicKey\": \"" + key + "\"}"),
                400,
                "avatar-invalid-id");

        SessionLogin login = new SessionLogin(id, 9L, System.currentTimeMillis());
        HttpResponse<String> granted = post(body(login, login.sign(identity[0])));
        assertEquals(201, granted.statusCode(), granted.body());
        assertEquals(
                node.system().settings().config().getInt("world.gateway.reply-port"),
                new ObjectMapper().readTree(granted.body()).get("replyPort").asInt());
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"" + code + "\""), response.body());
        assertTrue(!response.body().contains("\"token\""), response.body());
    }
}
