using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>
/// A binary permit on which exactly one thread, its owner, blocks; any thread may release it.
/// Every thread that waits on the pool owns one for its whole life, so blocking never creates
/// a new event, mutex or condition variable (which would allocate on the cold path).
/// Neither side can be broken by <see cref="Thread.Interrupt"/>: <see cref="Park()"/> waits
/// through an interrupt and <see cref="Unpark"/> always delivers its wake-up, and the interrupt
/// stays pending on its thread for the next interruptible wait of the user's code.
/// </summary>
/// <remarks>
/// <para>Contract: <see cref="Park()"/> returns after at least one <see cref="Unpark"/> that happened
/// since the previous <see cref="Park()"/> returned, and it may also return spuriously (for
/// example for a permit left over from an earlier wake-up). Callers therefore always re-check
/// their own condition in a loop. Both operations are cold paths: the engine parks only after
/// its spin budget, and unparks a thread that announced it is parking, or every worker at
/// shutdown; wake-ups that arrive after the thread already left are what leave stale permits.</para>
/// <para>Two implementations of the same contract. Where the OS has an address wait
/// (<see cref="AddressWait"/>: futex, WaitOnAddress) the permit is a word in pinned memory with
/// three values, Empty, Permit and Parked: the owner consumes a permit with an exchange, or
/// announces Parked with a CAS from Empty and blocks while the word is Parked; a waker exchanges
/// in Permit and makes the wake-up call only if it replaced Parked. Every step is an interlocked
/// operation (a full fence), so either the owner's CAS sees the permit or the waker's exchange
/// sees Parked; and a waker that changes the word between the CAS and the block makes the OS
/// refuse to block (the word no longer holds Parked). No lock, so nothing a waker does can block
/// or throw. Elsewhere a monitor carries the wake-up; its lock and its wait can both be
/// interrupted, so each catches the interrupt, finishes, and raises the interrupt again on the
/// way out (<see cref="Thread.Interrupt"/> on the current thread: pending again).</para>
/// </remarks>
internal sealed unsafe class Parker
{
    private const int Empty = 0;
    private const int Permit = 1;
    private const int Parked = -1;

    // The address-wait word sits in the middle of a pinned array, at least two cache lines away
    // from whatever the runtime allocates next to it: wakers write it, the owner spins on nothing.
    private const int CellLength = 64;
    private const int WordIndex = 32;

    /// <summary>Keeps the pinned array of <see cref="_word"/> alive (null with the monitor).</summary>
    private readonly int[]? _cell;

    /// <summary>The permit word for the address wait; null when the monitor is used.</summary>
    private readonly int* _word;

    // The monitor implementation. A plain object, not System.Threading.Lock: Monitor.Wait/Pulse
    // need a Monitor-owned lock.
    private readonly object? _monitor;

    // Monitor implementation: 1 when a permit is available. Consumed only by the owner with an
    // atomic exchange, so a concurrent Unpark is never overwritten by a plain store; the exchange
    // also orders the owner's later reads after the waker's writes (Interlocked is a full fence).
    private int _permit;

    // Monitor implementation: the owner is inside Monitor.Wait (diagnostics and tests).
    private volatile bool _blocked;

    /// <summary>A parker on the OS address wait where there is one, otherwise on a monitor.</summary>
    internal Parker()
        : this(AddressWait.IsSupported)
    {
    }

    /// <summary>A parker on the OS address wait (<paramref name="useAddressWait"/>, where supported) or on a monitor (tests of both).</summary>
    internal Parker(bool useAddressWait)
    {
        if (useAddressWait && AddressWait.IsSupported)
        {
            _cell = GC.AllocateArray<int>(CellLength, pinned: true);
            _word = (int*)Unsafe.AsPointer(ref _cell[WordIndex]);
        }
        else
        {
            _monitor = new object();
        }
    }

    /// <summary>Whether the owner is blocked (or about to block) in <see cref="Park()"/>: for diagnostics and tests, a snapshot.</summary>
    internal bool IsParked => _word is not null ? Volatile.Read(ref *_word) == Parked : _blocked;

    /// <summary>Whether this parker blocks on the OS address wait rather than a monitor.</summary>
    internal bool UsesAddressWait => _word is not null;

    /// <summary>Blocks the owner until a permit is available, then consumes it.</summary>
    public void Park()
    {
        SchedulePoint.Hit(); // none inside the lock: the exploration build switches threads only outside it, or in Monitor.Wait
        if (_word is not null)
        {
            ParkOnAddress(Timeout.Infinite);
        }
        else
        {
            ParkOnMonitor(Timeout.Infinite);
        }
    }

    /// <summary>
    /// Blocks the owner until a permit is available (then consumes it and returns true) or
    /// about <paramref name="millisecondsTimeout"/> passed (returns false; also, rarely, earlier).
    /// </summary>
    public bool Park(int millisecondsTimeout)
    {
        SchedulePoint.Hit();
        return _word is not null ? ParkOnAddress(millisecondsTimeout) : ParkOnMonitor(millisecondsTimeout);
    }

    /// <summary>Makes a permit available and wakes the owner if it is blocked. Never blocks, never throws.</summary>
    public void Unpark()
    {
        SchedulePoint.Hit();
        if (_word is not null)
        {
            // Only a blocked (or blocking) owner needs the system call; an owner that announced
            // Parked but has not blocked yet finds the word changed and does not block.
            if (Interlocked.Exchange(ref *_word, Permit) == Parked)
            {
                AddressWait.WakeOne(_word);
            }

            return;
        }

        if (Interlocked.Exchange(ref _permit, 1) != 0)
        {
            // A permit was already pending: the owner will consume it without blocking, or it
            // is blocked and the earlier Unpark's pulse is on its way.
            return;
        }

        SchedulePoint.Hit();
        bool interrupted = EnterMonitor();
        try
        {
            Monitor.Pulse(_monitor!);
        }
        finally
        {
            System.Threading.Monitor.Exit(_monitor!);
        }

        RestoreInterrupt(interrupted);
    }

    private bool ParkOnAddress(int millisecondsTimeout)
    {
        int* word = _word;
        if (Interlocked.Exchange(ref *word, Empty) == Permit)
        {
            return true;
        }

        if (Interlocked.CompareExchange(ref *word, Parked, Empty) != Empty)
        {
            // Only a waker changes the word now: a permit arrived between the two steps.
            Interlocked.Exchange(ref *word, Empty);
            return true;
        }

        if (millisecondsTimeout < 0)
        {
            // Only Unpark moves the word away from Parked, to Permit. Early returns (signals,
            // the runtime suspending threads for a GC) find it still Parked and block again.
            while (Volatile.Read(ref *word) == Parked)
            {
                AddressWait.Wait(word, Parked, Timeout.Infinite);
            }

            Interlocked.Exchange(ref *word, Empty);
            return true;
        }

        AddressWait.Wait(word, Parked, millisecondsTimeout);
        // Timed out (or returned early): withdraw the announcement; a permit that arrived
        // meanwhile is consumed here rather than left for the next Park.
        return Interlocked.Exchange(ref *word, Empty) == Permit;
    }

    private bool ParkOnMonitor(int millisecondsTimeout)
    {
        if (Interlocked.Exchange(ref _permit, 0) != 0)
        {
            return true;
        }

        bool interrupted = EnterMonitor();
        bool permit;
        try
        {
            // Checked under the lock: an Unpark that sets the permit after this check must take
            // the lock to pulse, which it can only do once Wait has released it, so the pulse
            // cannot fall between the check and the wait.
            permit = Interlocked.Exchange(ref _permit, 0) != 0;
            while (!permit)
            {
                _blocked = true;
                try
                {
                    if (millisecondsTimeout < 0)
                    {
                        Monitor.Wait(_monitor!);
                    }
                    else
                    {
                        Monitor.Wait(_monitor!, millisecondsTimeout);
                    }
                }
                catch (ThreadInterruptedException)
                {
                    // Monitor.Wait took the lock back before throwing: raise the interrupt again
                    // once this park is over, and look at the permit before waiting on. The
                    // interrupted Wait may have swallowed an Unpark's pulse, whose permit is
                    // then the only trace of it (R42).
                    interrupted = true;
                }
                finally
                {
                    _blocked = false;
                }

                permit = Interlocked.Exchange(ref _permit, 0) != 0;
                if (millisecondsTimeout >= 0)
                {
                    break;
                }
            }
        }
        finally
        {
            System.Threading.Monitor.Exit(_monitor!);
        }

        RestoreInterrupt(interrupted);
        return permit;
    }

    /// <summary>Takes the monitor even through an interrupt (a contended Enter can throw one); true when one was caught.</summary>
    private bool EnterMonitor()
    {
        bool interrupted = false;
        while (true)
        {
            try
            {
                System.Threading.Monitor.Enter(_monitor!);
                return interrupted;
            }
            catch (ThreadInterruptedException)
            {
                interrupted = true;
            }
        }
    }

    /// <summary>An interrupt caught inside the parker is not the engine's: make it pending again, for the thread's next interruptible wait.</summary>
    private static void RestoreInterrupt(bool interrupted)
    {
        if (interrupted)
        {
            Thread.CurrentThread.Interrupt();
        }
    }
}
