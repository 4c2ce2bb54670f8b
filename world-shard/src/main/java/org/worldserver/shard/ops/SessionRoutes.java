package org.worldserver.shard.ops;

import static org.worldserver.shard.ops.JsonReplies.error;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.management.javadsl.ManagementRouteProvider;
import org.apache.pekko.management.javadsl.ManagementRouteProviderSettings;
import org.apache.pekko.pattern.StatusReply;
import org.worldserver.avatar.Avatar;
import org.worldserver.avatar.AvatarRejection;
import org.worldserver.protocol.ConnectToken;
import org.worldserver.protocol.ProtocolLimits;
import org.worldserver.protocol.SessionLogin;
import org.worldserver.shard.gateway.GatewaySettings;
import org.worldserver.shard.gateway.LoginGateways;

/**
 * The sign-up and login API. {@code POST /avatars} registers an avatar with the public half of its identity key;
 * {@code POST /sessions} turns a statement signed with that key ({@link SessionLogin}) into a connect token for the
 * UDP gateway.
 *
 * <pre>
 * POST /avatars
 * request  {"id": avatar id, "displayName": text, "publicKey": base64 raw Ed25519 (32 bytes), "homeRegion"?: name}
 * 201      the avatar's record (as GET /avatars/{id} shows it under "avatar")
 * 400 avatar-invalid (not such a request), avatar-invalid-id, avatar-invalid-display-name, avatar-invalid-public-key,
 *     avatar-invalid-region          409 avatar-already-registered, avatar-id-reserved (the treasury's account id: an
 *     avatar's account has its id)
 *
 * POST /sessions
 * request  {"avatar": id, "nonce": long, "timestamp": epoch ms, "signature": base64 Ed25519 over the statement}
 * 201      {"avatar", "token": base64url, "expiresAt", "host", "port", "replyPort", "protocolVersion"}
 * 400 session-invalid            the body is not such a request
 * 400 avatar-invalid-id          404 avatar-not-registered
 * 401 session-clock-skew         the timestamp is further than world.gateway.login-clock-skew from the server's
 * 401 session-signature-invalid  not signed by the avatar's registered key
 * </pre>
 *
 * The token is bound to the avatar and the nonce and expires after {@code world.gateway.token-ttl}; the client
 * sends it, with the same nonce, in its ConnectRequest. {@code host}, {@code port} and {@code replyPort} name a
 * gateway: for an avatar returning to where it left the world, the one of the node that runs that place's cell
 * ({@link LoginGateways}); else this node's. Handlers run on the HTTP server's threads and ask the Avatar entity.
 */
public final class SessionRoutes extends AllDirectives implements ManagementRouteProvider {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    /** The answer to a successful login. */
    public record SessionGrant(
            String avatar,
            String token,
            Instant expiresAt,
            String host,
            int port,
            int replyPort,
            int protocolVersion) {}

    private final ActorSystem<?> system;
    private final LoginGateways gateways;

    public SessionRoutes(ExtendedActorSystem system) {
        this.system = Adapter.toTyped(system);
        this.gateways = new LoginGateways(this.system);
    }

    @Override
    public Route routes(ManagementRouteProviderSettings settings) {
        return JsonReplies.busyAnswered(() -> post(() -> concat(
                path("sessions", () -> entity(Unmarshaller.entityToString(), this::login)),
                path("avatars", () -> entity(Unmarshaller.entityToString(), this::register)))));
    }

    private Route register(String body) {
        JsonNode json;
        try {
            json = JsonReplies.mapper().readTree(body);
        } catch (java.io.IOException e) {
            json = null;
        }
        if (json == null
                || !json.path("id").isTextual()
                || !json.path("displayName").isTextual()
                || !json.path("publicKey").isTextual()
                || !(json.path("homeRegion").isMissingNode()
                        || json.path("homeRegion").isTextual())) {
            return error(
                    StatusCodes.BAD_REQUEST,
                    "avatar-invalid",
                    "expected {\"id\": text, \"displayName\": text, \"publicKey\": base64, \"homeRegion\"?: text}");
        }
        String id = json.get("id").asText();
        if (!Avatar.isValidId(id)) {
            return error(StatusCodes.BAD_REQUEST, "avatar-invalid-id", "'" + id + "' is not an avatar id");
        }
        if (id.equals(system.settings().config().getString("world.timebank.treasury-account"))) {
            return error(StatusCodes.CONFLICT, "avatar-id-reserved", "'" + id + "' is the treasury's account");
        }
        String displayName = json.get("displayName").asText();
        String publicKey = json.get("publicKey").asText();
        String home = json.path("homeRegion").asText(system.settings().config().getString("world.fallback-region"));
        CompletionStage<StatusReply<Avatar.Summary>> registered = ClusterSharding.get(system)
                .entityRefFor(Avatar.ENTITY_KEY, id)
                .ask(replyTo -> new Avatar.Register(displayName, publicKey, home, replyTo), ASK_TIMEOUT);
        return onSuccess(registered, reply -> {
            if (reply.isSuccess()) {
                return JsonReplies.json(StatusCodes.CREATED, reply.getValue());
            }
            String message = reply.getError().getMessage();
            String code = message.contains(":") ? message.substring(0, message.indexOf(':')) : "avatar-invalid";
            return error(
                    code.equals(AvatarRejection.ALREADY_REGISTERED.code())
                            ? StatusCodes.CONFLICT
                            : StatusCodes.BAD_REQUEST,
                    code,
                    message);
        });
    }

    private Route login(String body) {
        SessionLogin login;
        String signature;
        try {
            JsonNode json = JsonReplies.mapper().readTree(body);
            if (json == null
                    || !json.path("avatar").isTextual()
                    || !json.path("nonce").canConvertToLong()
                    || !json.path("timestamp").canConvertToLong()
                    || !json.path("signature").isTextual()) {
                return invalid();
            }
            login = new SessionLogin(
                    json.get("avatar").asText(),
                    json.get("nonce").asLong(),
                    json.get("timestamp").asLong());
            signature = json.get("signature").asText();
        } catch (java.io.IOException e) {
            return invalid();
        }
        if (!Avatar.isValidId(login.avatarId())) {
            return error(
                    StatusCodes.BAD_REQUEST, "avatar-invalid-id", "'" + login.avatarId() + "' is not an avatar id");
        }
        GatewaySettings gateway = GatewaySettings.get(system);
        long now = System.currentTimeMillis();
        if (Math.abs(now - login.timestampMillis()) > gateway.loginClockSkew().toMillis()) {
            return error(
                    StatusCodes.UNAUTHORIZED,
                    "session-clock-skew",
                    "the login's timestamp is " + (login.timestampMillis() - now) + " ms from the server's clock");
        }
        CompletionStage<StatusReply<Avatar.Summary>> record = ClusterSharding.get(system)
                .entityRefFor(Avatar.ENTITY_KEY, login.avatarId())
                .ask(Avatar.Get::new, ASK_TIMEOUT);
        return onSuccess(record, reply -> {
            if (reply.isError()) {
                return error(
                        StatusCodes.NOT_FOUND,
                        "avatar-not-registered",
                        reply.getError().getMessage());
            }
            if (!login.verify(reply.getValue().publicKey(), signature)) {
                return error(
                        StatusCodes.UNAUTHORIZED,
                        "session-signature-invalid",
                        "the signature does not verify with the avatar's registered key");
            }
            return onSuccess(gateways.forLogin(reply.getValue()), endpoint -> grant(login, endpoint, gateway));
        });
    }

    /** A connect token for {@code login}, good for the token TTL from now, to be used at {@code endpoint}. */
    private static Route grant(SessionLogin login, LoginGateways.Endpoint endpoint, GatewaySettings gateway) {
        long issued = System.currentTimeMillis();
        long expires = issued + gateway.tokenTtl().toMillis();
        ConnectToken token = new ConnectToken(login.avatarId(), login.clientNonce(), issued, expires);
        return JsonReplies.json(
                StatusCodes.CREATED,
                new SessionGrant(
                        login.avatarId(),
                        token.toText(gateway.tokenKey()),
                        Instant.ofEpochMilli(expires),
                        endpoint.host(),
                        endpoint.port(),
                        endpoint.replyPort(),
                        ProtocolLimits.PROTOCOL_VERSION));
    }

    private static Route invalid() {
        return error(
                StatusCodes.BAD_REQUEST,
                "session-invalid",
                "expected {\"avatar\": id, \"nonce\": long, \"timestamp\": epoch ms, \"signature\": base64}");
    }
}
