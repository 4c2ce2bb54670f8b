package org.worldserver.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Coordinated-omission correction on a synthetic stall: inputs every 50 ms, the system stalls for one second. */
class LatencyRecorderTest {

    @Test
    void shouldCountTheInputsAStallHeldUp() {
        LatencyRecorder recorder = new LatencyRecorder(50_000); // 20 Hz
        for (int i = 0; i < 980; i++) {
            recorder.record(10_000); // 10 ms, as usual
        }
        recorder.record(1_000_000); // one input waited a whole second: so did the 19 sent after it

        assertEquals(981, recorder.raw().getTotalCount());
        assertEquals(981 + 19, recorder.corrected().getTotalCount(), "1 s, 950 ms, ..., 50 ms");
        assertEquals(10.0, recorder.raw().getValueAtPercentile(99) / 1000.0, 0.1, "as measured, the stall hides");
        assertTrue(
                recorder.corrected().getValueAtPercentile(99) >= 500_000,
                "corrected, the top 2 % waited long: " + recorder.corrected().getValueAtPercentile(99));
        assertEquals(1_000_000, recorder.corrected().getMaxValue(), 1_000);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        recorder.writePercentiles(new PrintStream(out, true, StandardCharsets.UTF_8));
        String hgrm = out.toString(StandardCharsets.UTF_8);
        assertTrue(hgrm.contains("Value     Percentile TotalCount 1/(1-Percentile)"), hgrm);
        assertTrue(hgrm.contains("#[Max     =     1000.447"), hgrm);
    }
}
