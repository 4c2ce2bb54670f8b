package org.worldserver.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.SessionLogin;

/**
 * A client of a node's sign-up and login API ({@code POST /avatars}, {@code POST /sessions}): registers avatars
 * and turns a signed login into a connect token with the gateway's UDP endpoint. Thread-safe.
 */
public final class LoginClient {

    /** What {@code POST /sessions} granted: the token (for the nonce it was asked with) and where to send UDP. */
    public record Grant(String avatarId, long nonce, byte[] token, String host, int port, int replyPort) {

        public String serverEndpoint() {
            return host + ":" + port;
        }

        public String replyControl() {
            return host + ":" + replyPort;
        }
    }

    /** The server answered with an error: its HTTP status and stable error code. */
    public static final class Refused extends IOException {
        private final int status;
        private final String code;

        Refused(int status, String code, String body) {
            super(status + " " + code + ": " + body);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param base the node's HTTP API, e.g. {@code http://127.0.0.1:7626} */
    public LoginClient(URI base) {
        this.base = base;
    }

    /**
     * Registers {@code avatarId} with the public key of {@code seed} and a home region (null: the node's default);
     * {@link Refused} with the server's code.
     */
    public void register(String avatarId, String displayName, byte[] seed, String homeRegion)
            throws IOException, InterruptedException {
        await(registerAsync(avatarId, displayName, seed, homeRegion));
    }

    /** {@link #register}, without waiting: fails with {@link Refused} or the I/O error. */
    public CompletableFuture<Void> registerAsync(String avatarId, String displayName, byte[] seed, String homeRegion) {
        ObjectNode body = JSON.createObjectNode()
                .put("id", avatarId)
                .put("displayName", displayName)
                .put("publicKey", Base64.getEncoder().encodeToString(SessionLogin.publicKeyOf(seed)));
        if (homeRegion != null) {
            body.put("homeRegion", homeRegion);
        }
        return post("/avatars", body).thenApply(created -> null);
    }

    /**
     * Defines a region ({@code POST /regions}) from its definition as JSON: accepted when new or the same as the
     * node's; {@link Refused} ({@code region-exists}, {@code region-invalid}) otherwise.
     */
    public void defineRegion(String definitionJson) throws IOException, InterruptedException {
        await(post("/regions", (ObjectNode) JSON.readTree(definitionJson)));
    }

    /** Logs {@code avatarId} in with a login signed by {@code seed} for {@code nonce}. */
    public Grant login(String avatarId, byte[] seed, long nonce) throws IOException, InterruptedException {
        return await(loginAsync(avatarId, seed, nonce));
    }

    /** {@link #login}, without waiting: fails with {@link Refused} or the I/O error. */
    public CompletableFuture<Grant> loginAsync(String avatarId, byte[] seed, long nonce) {
        SessionLogin login = new SessionLogin(avatarId, nonce, System.currentTimeMillis());
        ObjectNode body = JSON.createObjectNode()
                .put("avatar", avatarId)
                .put("nonce", nonce)
                .put("timestamp", login.timestampMillis())
                .put("signature", login.sign(seed));
        return post("/sessions", body)
                .thenApply(grant -> new Grant(
                        avatarId,
                        nonce,
                        ConnectToken.fromText(grant.get("token").asText()),
                        grant.get("host").asText(),
                        grant.get("port").asInt(),
                        grant.get("replyPort").asInt()));
    }

    /** Waits for {@code call}, rethrowing its {@link IOException} (a {@link Refused} among them) as it is. */
    private static <T> T await(CompletableFuture<T> call) throws IOException, InterruptedException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    private CompletableFuture<JsonNode> post(String path, ObjectNode body) {
        return http.sendAsync(
                        HttpRequest.newBuilder(base.resolve(path))
                                .timeout(TIMEOUT)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    try {
                        return answer(path, response);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    /** The JSON of a 2xx answer; {@link Refused} with the server's error code otherwise. */
    private static JsonNode answer(String path, HttpResponse<String> response) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException notJson) {
            json = null;
        }
        if (response.statusCode() / 100 != 2) {
            String code = json != null && json.path("error").isTextual()
                    ? json.get("error").asText()
                    : "http-error";
            throw new Refused(response.statusCode(), code, response.body());
        }
        if (json == null) {
            throw new IOException("not JSON from " + path + ": " + response.body());
        }
        return json;
    }
}
