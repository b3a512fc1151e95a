package com.ecomcrm.bench;

import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM has used, all threads together. On a machine shared with other work, wall-clock rates move with
 * the load; CPU time per unit of work moves much less, so the load stages report it beside their rates.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** Nanoseconds of CPU used by the process so far, or 0 when the JVM cannot tell. */
    static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }
}
