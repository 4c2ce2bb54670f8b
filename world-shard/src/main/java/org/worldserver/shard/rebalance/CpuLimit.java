package org.worldserver.shard.rebalance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The CPU this process may use, in cores: the tightest CPU quota of its control group and the group's ancestors
 * (cgroup v1 {@code cpu.cfs_quota_us / cpu.cfs_period_us}, cgroup v2 {@code cpu.max}), and at most the machine's
 * processors. Without a control group, or with no quota on the way up, the machine's processors.
 *
 * <p>Read anew on every call (a handful of small files), because a quota can change while the node runs: a container
 * resized in place, or {@code deploy/bench/hotspot.sh} putting a started node into a group of its own. The JVM's own
 * container support reads the group once, at start. Called on the telemetry reporter's thread; holds no state.
 */
final class CpuLimit {

    private final Path proc;
    private final Path fsRoot;
    private final IntSupplier processors;

    /**
     * @param proc this process's {@code /proc} directory (its {@code cgroup} and {@code mountinfo} files)
     * @param fsRoot where the paths that {@code mountinfo} names are ("/", or a test's tree)
     * @param processors the machine's processors as the JVM sees them now (in a container the JVM may already give its
     *     quota, rounded up; asked on every call, as it can change)
     */
    CpuLimit(Path proc, Path fsRoot, IntSupplier processors) {
        this.proc = proc;
        this.fsRoot = fsRoot;
        this.processors = processors;
    }

    /** This process's limit, as the system shows it. */
    static CpuLimit ofThisProcess() {
        Runtime runtime = Runtime.getRuntime();
        return new CpuLimit(Path.of("/proc/self"), Path.of("/"), runtime::availableProcessors);
    }

    /** The cores this process may use, more than 0 and at most the machine's processors. */
    double cores() {
        double cores = Double.POSITIVE_INFINITY;
        try {
            List<String> mounts = Files.readAllLines(proc.resolve("mountinfo"));
            for (String group : Files.readAllLines(proc.resolve("cgroup"))) {
                // "hierarchy:controllers:path"; v2's line is "0::path"
                String[] f = group.split(":", 3);
                if (f.length < 3) {
                    continue;
                }
                boolean v2 = f[0].equals("0") && f[1].isEmpty();
                if (v2 || List.of(f[1].split(",")).contains("cpu")) {
                    String[] mount = mount(mounts, v2);
                    if (mount != null) {
                        cores = Math.min(cores, tightestQuota(mount[0], mount[1], f[2], v2));
                    }
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no control groups here (not Linux), or not readable: the machine's processors
            cores = Double.POSITIVE_INFINITY;
        }
        return Math.min(cores, processors.getAsInt());
    }

    /**
     * The mount of the hierarchy (v2, or v1's with the cpu controller): {root, mount point} from the first matching
     * line of mountinfo ("id parent dev root mount-point options ... - type source super-options"), or null.
     */
    private static String[] mount(List<String> mounts, boolean v2) {
        for (String line : mounts) {
            String[] halves = line.split(" - ", 2);
            if (halves.length < 2) {
                continue;
            }
            String[] left = halves[0].split(" ");
            String[] right = halves[1].split(" ");
            if (left.length < 5 || right.length < 3) {
                continue;
            }
            boolean match = v2
                    ? right[0].equals("cgroup2")
                    : right[0].equals("cgroup") && List.of(right[2].split(",")).contains("cpu");
            if (match) {
                return new String[] {left[3], left[4]};
            }
        }
        return null;
    }

    /**
     * The tightest quota of the group at {@code path} and its ancestors up to the hierarchy's mount, in cores
     * (infinite if none). With a cgroup namespace the mount shows the hierarchy from {@code root} down, so that
     * prefix is taken from the group's path; a group not found under the mount is read at the mount itself.
     */
    private double tightestQuota(String root, String mountPoint, String path, boolean v2) throws IOException {
        Path top = fsRoot.resolve(mountPoint.replaceFirst("^/+", ""));
        Path group = Path.of(path);
        Path rootPath = Path.of(root);
        Path relative = group.startsWith(rootPath)
                ? rootPath.relativize(group)
                : group.getRoot().relativize(group);
        Path dir = top.resolve(relative.toString());
        if (!Files.isDirectory(dir)) {
            dir = top;
        }
        double cores = Double.POSITIVE_INFINITY;
        for (Path d = dir; d != null && d.startsWith(top); d = d.getParent()) {
            cores = Math.min(cores, v2 ? quotaV2(d) : quotaV1(d));
        }
        return cores;
    }

    private double quotaV1(Path dir) throws IOException {
        Path quota = dir.resolve("cpu.cfs_quota_us");
        Path period = dir.resolve("cpu.cfs_period_us");
        if (!Files.isReadable(quota) || !Files.isReadable(period)) {
            return Double.POSITIVE_INFINITY;
        }
        return cores(Files.readString(quota).trim(), Files.readString(period).trim());
    }

    private double quotaV2(Path dir) throws IOException {
        Path max = dir.resolve("cpu.max");
        if (!Files.isReadable(max)) {
            return Double.POSITIVE_INFINITY;
        }
        String[] f = Files.readString(max).trim().split("\\s+"); // "max 100000" or "quota period"
        if (f.length < 2 || f[0].equals("max")) {
            return Double.POSITIVE_INFINITY;
        }
        return cores(f[0], f[1]);
    }

    /** A quota of {@code quota} µs per {@code period} µs, in cores; infinite for none (v1 writes −1). */
    private static double cores(String quota, String period) {
        long q = Long.parseLong(quota);
        long p = Long.parseLong(period);
        return q <= 0 || p <= 0 ? Double.POSITIVE_INFINITY : (double) q / p;
    }
}
