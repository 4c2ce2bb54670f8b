package org.worldserver.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

/**
 * Avatars' private identity keys (Ed25519 seeds, base64) kept in a directory, one file {@code <avatar>.key} each,
 * readable by the owner only. The CLI registers an avatar the first time it is used and signs its logins with
 * the key kept here afterwards.
 */
public final class Identities {

    private final Path dir;

    public Identities(Path dir) {
        this.dir = dir;
    }

    /** The private seed of {@code avatarId}, if this directory holds it. */
    public Optional<byte[]> seedOf(String avatarId) throws IOException {
        Path file = fileOf(avatarId);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(Base64.getDecoder().decode(Files.readString(file).trim()));
    }

    /** Stores {@code seed} as the key of {@code avatarId}, readable by the owner only. */
    public void store(String avatarId, byte[] seed) throws IOException {
        Files.createDirectories(dir);
        Path file = fileOf(avatarId);
        Path partial = dir.resolve(avatarId + ".key.tmp");
        Files.writeString(partial, Base64.getEncoder().encodeToString(seed) + "\n");
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the directory's ACL applies
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private Path fileOf(String avatarId) {
        if (!avatarId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("'" + avatarId + "' is not an avatar id (1-64 of A-Z a-z 0-9 _ -)");
        }
        return dir.resolve(avatarId + ".key");
    }
}
