package org.worldserver.shard.gateway;

import com.typesafe.config.Config;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.worldserver.protocol.ConnectToken;

/**
 * {@code world.gateway}, read once per node: where clients send UDP, and the key that signs and verifies connect
 * tokens. Without a configured key the node makes one up (tokens then work on this node only) and says so.
 */
public final class GatewaySettings implements Extension {

    private static final Logger LOG = LoggerFactory.getLogger(GatewaySettings.class);

    private static final ExtensionId<GatewaySettings> ID = new ExtensionId<>() {
        @Override
        public GatewaySettings createExtension(ActorSystem<?> system) {
            return new GatewaySettings(system.settings().config());
        }
    };

    private final String publicHost;
    private final int port;
    private final byte[] tokenKey;
    private final Duration tokenTtl;
    private final Duration loginClockSkew;
    private final boolean keyShared;
    private final SessionHandoffs.Settings handoffs;
    private final boolean loginsAtCellNode;
    private final String keyId;

    GatewaySettings(Config root) {
        Config c = root.getConfig("world.gateway");
        this.publicHost = c.getString("public-host");
        this.port = c.getInt("port");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("world.gateway.port must be 1..65535, was " + port);
        }
        this.tokenTtl = c.getDuration("token-ttl");
        this.loginClockSkew = c.getDuration("login-clock-skew");
        String key = c.getString("token-key");
        this.keyShared = !key.isBlank();
        this.handoffs = handoffs(c.getConfig("handoff"), keyShared);
        this.loginsAtCellNode = handoffs.enabled() && c.getBoolean("handoff.at-login");
        if (key.isBlank()) {
            this.tokenKey = new byte[ConnectToken.MIN_KEY_BYTES];
            new SecureRandom().nextBytes(tokenKey);
            LOG.warn("world.gateway.token-key is not set: this node signs connect tokens with a random key of its "
                    + "own, so they are accepted by this node only. Set WORLD_TOKEN_KEY on every node of a cluster.");
        } else {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(key.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("world.gateway.token-key is not base64", e);
            }
            if (decoded.length < ConnectToken.MIN_KEY_BYTES) {
                throw new IllegalArgumentException("world.gateway.token-key must decode to at least "
                        + ConnectToken.MIN_KEY_BYTES + " bytes, has " + decoded.length);
            }
            this.tokenKey = decoded;
        }
        this.keyId = keyIdOf(tokenKey);
    }

    /** 8 bytes of HMAC-SHA256 under the key over a fixed label, base64url: names the key without revealing it. */
    private static String keyIdOf(byte[] key) {
        byte[] id = GatewayHandshake.derive(key, "world-gateway-key-id-v1");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(id, 8));
    }

    private static SessionHandoffs.Settings handoffs(Config c, boolean keyShared) {
        SessionHandoffs.Settings settings = new SessionHandoffs.Settings(
                c.getDuration("after").toNanos(),
                c.getDuration("timeout").toNanos(),
                c.getDuration("retry").toNanos(),
                c.getDuration("min-interval").toNanos(),
                c.getInt("per-second"));
        if (settings.enabled() && !keyShared) {
            LOG.warn("world.gateway.handoff is off: sessions can move to another node's gateway only when every "
                    + "node has the same world.gateway.token-key");
            return SessionHandoffs.Settings.OFF;
        }
        return settings;
    }

    public static GatewaySettings get(ActorSystem<?> system) {
        return ID.apply(system);
    }

    /** The host clients are told to send UDP to. */
    public String publicHost() {
        return publicHost;
    }

    /** The UDP port of the gateway. */
    public int port() {
        return port;
    }

    /** The token key; a copy. */
    public byte[] tokenKey() {
        return tokenKey.clone();
    }

    public Duration tokenTtl() {
        return tokenTtl;
    }

    public Duration loginClockSkew() {
        return loginClockSkew;
    }

    /** When sessions move to the gateway of their cell's node: off unless the token key is configured. */
    SessionHandoffs.Settings handoffs() {
        return handoffs;
    }

    /**
     * Which token key this gateway accepts, as published with its address: a login is sent on only to a gateway
     * with the same one (nodes with different keys, say during a key rotation, reject each other's tokens).
     */
    String keyId() {
        return keyId;
    }

    /**
     * Whether a login is told the gateway of the node that runs its avatar's cell ({@link LoginGateways}): {@code
     * handoff.at-login}, and handoffs on.
     */
    boolean loginsAtCellNode() {
        return loginsAtCellNode;
    }
}
