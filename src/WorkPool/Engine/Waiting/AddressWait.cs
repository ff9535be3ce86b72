using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>
/// The operating system's wait on an address: <c>futex</c> on Linux, <c>WaitOnAddress</c> on
/// Windows. A thread blocks while a 32-bit word still holds the value it expects; another thread
/// changes the word and wakes it. No lock, no kernel object, and no way for
/// <see cref="Thread.Interrupt"/> to end the wait (the runtime delivers interrupts only to its own
/// waits), which is what <see cref="Parker"/> needs. Elsewhere (macOS, other architectures, the
/// schedule-exploration build) <see cref="IsSupported"/> is false and the parker uses a monitor.
/// </summary>
/// <remarks>
/// The word must not move while a thread waits on it: callers keep it in pinned memory. Every
/// wait may return early (a signal, the runtime's GC suspension, a timeout): callers re-check
/// the word in a loop. Neither call throws once <see cref="IsSupported"/> said yes.
/// </remarks>
internal static unsafe partial class AddressWait
{
    // Linux futex operations on a word private to this process (no shared-memory hashing).
    private const int FutexWaitPrivate = 128;
    private const int FutexWakePrivate = 129;

    private static readonly long s_futexSyscall = FutexSyscallNumber();

    /// <summary>Whether this platform has an address wait the parker can use.</summary>
    internal static readonly bool IsSupported = Probe();

    /// <summary>Blocks while <c>*address == expected</c>, for at most <paramref name="millisecondsTimeout"/> (−1: no limit); may return early.</summary>
    internal static void Wait(int* address, int expected, int millisecondsTimeout)
    {
        if (OperatingSystem.IsWindows())
        {
            WaitOnAddress(address, &expected, sizeof(int), millisecondsTimeout < 0 ? uint.MaxValue : (uint)millisecondsTimeout);
            return;
        }

        if (millisecondsTimeout < 0)
        {
            _ = Syscall(s_futexSyscall, address, FutexWaitPrivate, expected, null, null, 0);
            return;
        }

        // A relative timeout. The result does not matter: EAGAIN (the word changed), EINTR and
        // ETIMEDOUT all send the caller back to its re-check.
        Timespec timeout = new() { Seconds = millisecondsTimeout / 1000, Nanoseconds = millisecondsTimeout % 1000 * 1_000_000 };
        _ = Syscall(s_futexSyscall, address, FutexWaitPrivate, expected, &timeout, null, 0);
    }

    /// <summary>Wakes one thread blocked in <see cref="Wait"/> on <paramref name="address"/>, if any.</summary>
    internal static void WakeOne(int* address)
    {
        if (OperatingSystem.IsWindows())
        {
            WakeByAddressSingle(address);
            return;
        }

        _ = Syscall(s_futexSyscall, address, FutexWakePrivate, 1, null, null, 0);
    }

    private static bool Probe()
    {
#if SCHEDULE_POINTS
        // The exploration build models blocking through Monitor (see tests/WorkPool.ScheduleTests).
        return false;
#else
        if (!OperatingSystem.IsWindows() && !(OperatingSystem.IsLinux() && s_futexSyscall != 0))
        {
            return false;
        }

        // Resolve the entry points once, on a word nobody waits on: a missing library or export
        // (an old Windows, an unusual libc) turns the parker's monitor on instead.
        int word = 0;
        try
        {
            if (OperatingSystem.IsWindows())
            {
                WakeByAddressSingle(&word);
                return true;
            }

            return Syscall(s_futexSyscall, &word, FutexWakePrivate, 1, null, null, 0) >= 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
#endif
    }

    /// <summary>The futex system call's number on this architecture, or 0 where it is not known here.</summary>
    private static long FutexSyscallNumber() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.X86 or Architecture.Arm => 240,
        _ => 0,
    };

    /// <summary>struct timespec: two native longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    // long syscall(long number, ...): every argument passed here is an integer or a pointer,
    // which the variadic convention passes exactly like fixed arguments on the Linux ABIs above.
    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, int* address, int operation, int value, Timespec* timeout, int* address2, int value3);

    [LibraryImport("api-ms-win-core-synch-l1-2-0.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool WaitOnAddress(void* address, void* compareAddress, nuint addressSize, uint milliseconds);

    [LibraryImport("api-ms-win-core-synch-l1-2-0.dll")]
    private static partial void WakeByAddressSingle(void* address);
}
