package org.worldserver.shard.rebalance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CpuLimit} over made-up /proc and /sys trees: each cgroup layout a node meets. */
class CpuLimitTest {

    @TempDir
    Path tmp;

    private static final String V1_MOUNTS = """
            30 25 0:26 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup cgroup rw,cpu
            31 25 0:27 / /sys/fs/cgroup/memory rw,relatime shared:10 - cgroup cgroup rw,memory
            """;
    private static final String V2_MOUNTS =
            "29 23 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw\n";

    private Path proc;
    private Path fs;

    private CpuLimit limit(String cgroup, String mountinfo, int processors) throws IOException {
        proc = Files.createDirectories(tmp.resolve("proc"));
        fs = Files.createDirectories(tmp.resolve("fs"));
        Files.writeString(proc.resolve("cgroup"), cgroup);
        Files.writeString(proc.resolve("mountinfo"), mountinfo);
        return new CpuLimit(proc, fs, () -> processors);
    }

    private void write(String path, String text) throws IOException {
        Path file = fs.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** A cgroup v1 group's quota ("-1": none) per a period of 100 ms, {@code group} under the cpu mount ("": its root). */
    private void v1(String group, String quotaMicros) throws IOException {
        String dir = "sys/fs/cgroup/cpu/" + (group.isEmpty() ? "" : group + "/");
        write(dir + "cpu.cfs_quota_us", quotaMicros + "\n");
        write(dir + "cpu.cfs_period_us", "100000\n");
    }

    /** A cgroup v2 group's {@code cpu.max} ("max 100000", or "quota period"), {@code group} under the mount. */
    private void v2(String group, String max) throws IOException {
        write("sys/fs/cgroup/" + (group.isEmpty() ? "" : group + "/") + "cpu.max", max + "\n");
    }

    @Test
    void cgroupV1QuotaOfTheProcessGroup() throws IOException {
        CpuLimit limit = limit("4:memory:/\n1:cpu:/world-node2\n0::/\n", V1_MOUNTS, 8);
        v1("world-node2", "60000");
        v1("", "-1");
        assertEquals(0.6, limit.cores(), 1e-9);
    }

    @Test
    void theTightestQuotaOnTheWayUpCounts() throws IOException {
        CpuLimit limit = limit("1:cpu,cpuacct:/outer/inner\n", V1_MOUNTS.replace("rw,cpu", "rw,cpu,cpuacct"), 8);
        v1("outer/inner", "300000");
        v1("outer", "150000");
        assertEquals(1.5, limit.cores(), 1e-9);
    }

    @Test
    void cgroupV2CpuMax() throws IOException {
        CpuLimit limit = limit("0::/system.slice/world.service\n", V2_MOUNTS, 4);
        v2("system.slice/world.service", "250000 100000");
        v2("system.slice", "max 100000");
        assertEquals(2.5, limit.cores(), 1e-9);
    }

    @Test
    void aQuotaAboveTheMachineIsTheMachine() throws IOException {
        CpuLimit limit = limit("0::/big\n", V2_MOUNTS, 2);
        v2("big", "800000 100000");
        assertEquals(2, limit.cores(), 1e-9);
    }

    @Test
    void noQuotaIsTheMachine() throws IOException {
        CpuLimit limit = limit("1:cpu:/\n", V1_MOUNTS, 2);
        v1("", "-1");
        assertEquals(2, limit.cores(), 1e-9);
    }

    /** In a container with its own cgroup namespace, the mount's root is the group itself. */
    @Test
    void aNamespacedGroupIsReadAtItsMount() throws IOException {
        CpuLimit limit =
                limit("0::/\n", "29 23 0:25 /kubepods/pod1/c1 /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n", 16);
        v2("", "50000 100000");
        assertEquals(0.5, limit.cores(), 1e-9);
    }

    /** The quota is read on every call: a node moved into a limited group after it started sees the limit. */
    @Test
    void aChangedQuotaIsSeenAtTheNextCall() throws IOException {
        CpuLimit limit = limit("0::/node\n", V2_MOUNTS, 4);
        v2("node", "max 100000");
        assertEquals(4, limit.cores(), 1e-9);
        v2("node", "30000 100000");
        assertEquals(0.3, limit.cores(), 1e-9);
    }

    /** v2: a parent's tighter quota counts; a group named like the namespace root's sibling is not mistaken for it. */
    @Test
    void cgroupV2ParentQuotaAndPathsComparedByName() throws IOException {
        CpuLimit limit =
                limit("0::/a/pod10/c\n", "29 23 0:25 /a/pod1 /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n", 8);
        // /a/pod10/c is not under the mount's root /a/pod1: read as a path from the mount, not as "0/c" under it.
        v2("a/pod10/c", "max 100000");
        v2("a/pod10", "120000 100000");
        v2("0/c", "10000 100000");
        assertEquals(1.2, limit.cores(), 1e-9);
    }

    /** The machine's processors are asked on every call too (a container resized upwards). */
    @Test
    void theMachineIsAskedAnewEachCall() throws IOException {
        limit("0::/\n", V2_MOUNTS, 1);
        int[] processors = {1};
        CpuLimit limit = new CpuLimit(proc, fs, () -> processors[0]);
        assertEquals(1, limit.cores(), 1e-9);
        processors[0] = 4;
        assertEquals(4, limit.cores(), 1e-9);
    }

    @Test
    void unreadableOrGarbledFilesGiveTheMachine() throws IOException {
        assertEquals(3, new CpuLimit(tmp.resolve("nothing"), tmp, () -> 3).cores(), 1e-9);
        CpuLimit limit = limit("1:cpu:/g\n", V1_MOUNTS, 3);
        v1("g", "lots");
        assertEquals(3, limit.cores(), 1e-9);
    }
}
