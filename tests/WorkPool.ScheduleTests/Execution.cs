using System.Diagnostics;
using System.Text;
using SysMonitor = System.Threading.Monitor;

namespace WorkPool.ScheduleTests;

/// <summary>
/// One run of a scenario under one schedule: real threads, exactly one of which runs at a time;
/// the running thread hands over only at a schedule point (<see cref="SchedulePoint"/>), in a
/// modeled <c>Monitor.Wait</c> (<see cref="Monitor"/>), or when it finishes, and a
/// <see cref="IScheduleStrategy"/> picks the next one. Given the strategy's seed, the run is
/// deterministic as long as the scenario's threads communicate only through code with
/// schedule points.
/// </summary>
/// <remarks>
/// <para>Threads: spawned by the scenario (<see cref="Spawn"/>; the run ends when all of them
/// finished), and daemons that attach themselves (<see cref="AttachCurrentThread"/>, e.g. pool
/// workers from <c>OnWorkerStart</c>); daemons may still be parked when the run ends.</para>
/// <para>Settling (<see cref="SettleDaemons"/>): once every spawned thread finished, the run
/// goes on scheduling the daemons until each of them is blocked (parked with nobody to pulse it)
/// or detached (<see cref="DetachCurrentThread"/>, a worker that exits), and only then ends: the
/// scenario can check the state the daemons came to rest in (a pool's idle counters, say). A
/// daemon that never comes to rest is a livelock.</para>
/// <para>Failures, each ending the run at once: a thread threw (an assertion in the scenario or a
/// <c>Debug.Assert</c> of the library); deadlock (no thread can run while a spawned one has not
/// finished: everyone waits on a monitor nobody will pulse); livelock (more than the step bound);
/// a real-time hang (a thread blocked outside the scheduler's control). After the end the run is
/// "released": schedule points are no-ops, modeled waits become real ones, and after a failure
/// spawned threads unwind with <see cref="ExecutionAbortedException"/> at their next point.</para>
/// </remarks>
internal sealed class Execution
{
    [ThreadStatic]
    private static ControlledThread? t_self;

    private readonly object _lock = new();
    private readonly List<ControlledThread> _threads = [];
    private readonly List<(ControlledThread Self, Thread Thread)> _spawned = [];
    private readonly IScheduleStrategy _strategy;
    private readonly int _maxSteps;
    private readonly List<int> _trace = [];
    private ControlledThread? _current;
    private bool _started;
    private bool _released;
    private bool _aborted;
    private bool _settling;
    private int _consecutive;
    private string? _failure;
    private int _steps;
    private long _waitSequence;

    internal Execution(IScheduleStrategy strategy, int maxSteps)
    {
        _strategy = strategy;
        _maxSteps = maxSteps;
    }

    /// <summary>
    /// Points one thread may run in a row, while another could run, before the scheduler treats
    /// it as spinning (the passing runs of the scenarios take at most ~150 points in all).
    /// </summary>
    internal const int FairnessBound = 200;

    /// <summary>How long a run may take in real time before it counts as hung.</summary>
    internal static TimeSpan RealTimeLimit { get; } = TimeSpan.FromSeconds(30);

    internal int Steps => _steps;

    /// <summary>How many times a thread blocked in a modeled <c>Monitor.Wait</c> (parked) in this run.</summary>
    internal int Parks { get; private set; }

    internal IReadOnlyList<int> Trace => _trace;

    internal string? Failure => _failure;

    /// <summary>Scenario, before <see cref="Run"/>: after the spawned threads, run the daemons until each is blocked (see the remarks).</summary>
    internal bool SettleDaemons { get; set; }

    /// <summary>True when the run ended with every daemon at rest (<see cref="SettleDaemons"/>).</summary>
    internal bool Settled { get; private set; }

    /// <summary>The thread names by id, for printing a trace.</summary>
    internal string ThreadNames => string.Join(", ", _threads.Select(t => $"{t.Id}={t.Name}"));

    /// <summary>Scenario, before <see cref="Run"/>: a thread that runs <paramref name="body"/> under the scheduler.</summary>
    internal void Spawn(string name, Action body)
    {
        var self = new ControlledThread(this, name, daemon: false);
        lock (_lock)
        {
            Debug.Assert(!_started);
            _threads.Add(self);
        }

        var thread = new Thread(() => SpawnedMain(self, body))
        {
            IsBackground = true,
            Name = "explore " + name,
        };
        _spawned.Add((self, thread));
    }

    /// <summary>
    /// From a thread the scenario did not spawn (a pool worker's <c>OnWorkerStart</c>): join the
    /// run as a daemon and wait for the first turn.
    /// </summary>
    internal void AttachCurrentThread(string name)
    {
        var self = new ControlledThread(this, name, daemon: true);
        t_self = self;
        lock (_lock)
        {
            Debug.Assert(!_started, "Daemons attach before the run starts.");
            _threads.Add(self);
            SysMonitor.PulseAll(_lock);
            WaitTurnLocked(self);
        }
    }

    /// <summary>
    /// From a running scenario thread: whether every daemon is at rest (parked with nobody to
    /// pulse it, or detached), e.g. every pool worker asleep. Spin on it with
    /// <see cref="SchedulePoint.Spin"/> to start a step only once the workers sleep.
    /// </summary>
    internal bool DaemonsAtRest
    {
        get
        {
            lock (_lock)
            {
                return _threads.All(t => !t.Daemon || t.State == ThreadRunState.Finished || (t.State == ThreadRunState.Waiting && !t.Pulsed));
            }
        }
    }

    /// <summary>
    /// From a daemon thread that is about to end (a pool worker's <c>OnWorkerExit</c>): leave the
    /// run, so the scheduler does not wait for a thread that no longer exists.
    /// </summary>
    internal void DetachCurrentThread()
    {
        ControlledThread? self = t_self;
        if (self is null || self.Execution != this)
        {
            return;
        }

        t_self = null;
        lock (_lock)
        {
            FinishLocked(self);
        }
    }

    /// <summary>Scenario: wait (real time, bounded) until <paramref name="count"/> daemons attached.</summary>
    internal void AwaitAttached(int count)
    {
        long deadline = Environment.TickCount64 + (long)RealTimeLimit.TotalMilliseconds;
        lock (_lock)
        {
            while (_threads.Count(t => t.Daemon) < count)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    throw new ScheduleFailureException($"Only {_threads.Count(t => t.Daemon)} of {count} daemon threads attached within {RealTimeLimit.TotalSeconds} s.");
                }

                SysMonitor.Wait(_lock, TimeSpan.FromMilliseconds(left));
            }
        }
    }

    /// <summary>
    /// Scenario: run every thread to the end under the strategy. Returns when all spawned threads
    /// finished and the run is released; throws <see cref="ScheduleFailureException"/> on a failure.
    /// </summary>
    internal void Run()
    {
        lock (_lock)
        {
            Debug.Assert(!_started);
            // Ids are positions: spawned threads in spawn order, then daemons by name (they
            // attach in real-time order, which must not leak into the schedule).
            List<ControlledThread> ordered = [.. _threads.Where(t => !t.Daemon), .. _threads.Where(t => t.Daemon).OrderBy(t => t.Name, StringComparer.Ordinal)];
            _threads.Clear();
            _threads.AddRange(ordered);
            for (int i = 0; i < _threads.Count; i++)
            {
                _threads[i].Id = i;
            }

            _started = true;
        }

        foreach ((_, Thread thread) in _spawned)
        {
            thread.Start();
        }

        long deadline = Environment.TickCount64 + (long)RealTimeLimit.TotalMilliseconds;
        lock (_lock)
        {
            ChooseNextLocked(null, spin: false);
            while (!_released)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    FailLocked($"hung in real time: no end within {RealTimeLimit.TotalSeconds} s; a thread blocked outside the scheduler's control (current: {_current?.Name ?? "none"}).");
                    break;
                }

                SysMonitor.Wait(_lock, TimeSpan.FromMilliseconds(left));
            }
        }

        foreach ((ControlledThread self, Thread thread) in _spawned)
        {
            long left = Math.Max(0, deadline + 5_000 - Environment.TickCount64);
            if (!thread.Join(TimeSpan.FromMilliseconds(left)))
            {
                lock (_lock)
                {
                    _failure ??= $"thread {self.Name} did not end after the run was released (blocked outside the scheduler).";
                }
            }
        }

        if (_failure is not null)
        {
            throw new ScheduleFailureException(_failure);
        }
    }

    /// <summary>The trace as thread names, for a failure message (the first <paramref name="max"/> steps).</summary>
    internal string DescribeTrace(int max = 400)
    {
        var text = new StringBuilder();
        text.Append("threads: ").Append(ThreadNames).Append("; schedule (thread ids, one per step): ");
        text.AppendJoin(' ', _trace.Take(max));
        if (_trace.Count > max)
        {
            text.Append(" ... (").Append(_trace.Count - max).Append(" more)");
        }

        return text.ToString();
    }

    /// <summary>
    /// Whether the calling thread belongs to a run that failed. A scenario's own wait loop in a
    /// daemon (a job on a pool worker that spins until another thread's work is done) gives up
    /// when it is: after a failure nothing is scheduled, and a worker spinning for ever would
    /// hang the pool's Dispose.
    /// </summary>
    internal static bool CurrentRunFailed => t_self is { } self && self.Execution._aborted;

    /// <summary>
    /// A scenario's wait loop: spins (a schedule point that lets others progress) until
    /// <paramref name="done"/>; false when it gave up because the run failed (see <see cref="CurrentRunFailed"/>).
    /// </summary>
    internal static bool SpinUntil(Func<bool> done)
    {
        while (!done())
        {
            if (CurrentRunFailed)
            {
                return false;
            }

            SchedulePoint.Spin();
        }

        return true;
    }

    /// <summary>Called at every schedule point (see <c>SchedulePoint.OnHit</c>).</summary>
    internal static void OnSchedulePoint(bool spin)
    {
        ControlledThread? self = t_self;
        self?.Execution.Yield(self, spin);
    }

    /// <summary>The modeled <c>Monitor.Wait</c>: the caller holds <paramref name="gate"/>.</summary>
    internal static bool ModelWait(object gate)
    {
        ControlledThread? self = t_self;
        if (self is null)
        {
            return SysMonitor.Wait(gate);
        }

        return self.Execution.WaitModeled(self, gate);
    }

    /// <summary>The modeled timed <c>Monitor.Wait</c>: times out at once inside a run.</summary>
    internal static bool ModelTimedWait(object gate, int millisecondsTimeout) =>
        t_self is null && SysMonitor.Wait(gate, millisecondsTimeout);

    /// <summary>The modeled <c>Monitor.Pulse</c>: the caller holds <paramref name="gate"/>.</summary>
    internal static void ModelPulse(object gate)
    {
        // Real waiters exist only after the run is released; a real pulse costs nothing otherwise.
        SysMonitor.Pulse(gate);
        ControlledThread? self = t_self;
        self?.Execution.PulseModeled(gate);
    }

    private void Yield(ControlledThread self, bool spin)
    {
        lock (_lock)
        {
            if (_released)
            {
                ThrowIfAbortedLocked(self);
                return;
            }

            if (_current != self)
            {
                FailLocked($"thread {self.Name} ran outside its turn (a thread the scheduler does not control woke it).");
                ThrowIfAbortedLocked(self);
                return;
            }

            ChooseNextLocked(self, spin);
            WaitTurnLocked(self);
        }
    }

    private bool WaitModeled(ControlledThread self, object gate)
    {
        bool released;
        lock (_lock)
        {
            released = _released;
            if (released)
            {
                ThrowIfAbortedLocked(self);
            }
        }

        if (released)
        {
            // A real wait, outside the scheduler's lock.
            return SysMonitor.Wait(gate);
        }

        // Only the running thread executes, and no schedule point lies inside a lock region of
        // the library, so releasing the gate and blocking in the model are one atomic step, and
        // the gate is free whenever this thread is chosen again.
        SysMonitor.Exit(gate);
        try
        {
            lock (_lock)
            {
                if (!_released)
                {
                    self.State = ThreadRunState.Waiting;
                    self.WaitingOn = gate;
                    self.Pulsed = false;
                    self.WaitSequence = ++_waitSequence;
                    Parks++;
                    ChooseNextLocked(self, spin: false);
                    WaitTurnLocked(self);
                }

                // Chosen (so pulsed), or released: a released wait returns as if spuriously and
                // the caller's loop re-checks its condition.
                self.State = ThreadRunState.Runnable;
                self.WaitingOn = null;
            }
        }
        finally
        {
            SysMonitor.Enter(gate);
        }

        return true;
    }

    /// <summary>Fault injection for the explorer's self-test: this many pulses that would wake a waiter are lost.</summary>
    internal int PulsesToLose { get; set; }

    private void PulseModeled(object gate)
    {
        lock (_lock)
        {
            ControlledThread? first = null;
            foreach (ControlledThread thread in _threads)
            {
                if (thread.State == ThreadRunState.Waiting && !thread.Pulsed && ReferenceEquals(thread.WaitingOn, gate)
                    && (first is null || thread.WaitSequence < first.WaitSequence))
                {
                    first = thread;
                }
            }

            if (first is not null && PulsesToLose > 0)
            {
                PulsesToLose--;
            }
            else if (first is not null)
            {
                first.Pulsed = true;
            }
        }
    }

    private void SpawnedMain(ControlledThread self, Action body)
    {
        t_self = self;
        try
        {
            lock (_lock)
            {
                WaitTurnLocked(self);
            }

            body();
        }
        catch (ExecutionAbortedException)
        {
            // Another thread failed first; this one only unwinds.
        }
#pragma warning disable CA1031 // Every failure of a scenario thread becomes the run's failure.
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (_lock)
            {
                FailLocked($"thread {self.Name} threw {e}");
            }
        }
        finally
        {
            t_self = null;
            lock (_lock)
            {
                FinishLocked(self);
            }
        }
    }

    private void FinishLocked(ControlledThread self)
    {
        self.State = ThreadRunState.Finished;
        if (_released)
        {
            return;
        }

        if (!_settling && _threads.All(t => t.Daemon || t.State == ThreadRunState.Finished))
        {
            if (!SettleDaemons)
            {
                _released = true;
                _current = null;
                SysMonitor.PulseAll(_lock);
                return;
            }

            // Every spawned thread is done: the daemons run on until each is at rest.
            _settling = true;
        }

        if (_current == self)
        {
            ChooseNextLocked(self, spin: false);
        }
    }

    private void ChooseNextLocked(ControlledThread? from, bool spin)
    {
        if (++_steps > _maxSteps)
        {
            FailLocked($"livelock: no end after {_maxSteps} schedule points (threads: {DescribeStatesLocked()}).");
            return;
        }

        List<ControlledThread> enabled = [];
        foreach (ControlledThread thread in _threads)
        {
            if (thread.State == ThreadRunState.Runnable || (thread.State == ThreadRunState.Waiting && thread.Pulsed))
            {
                enabled.Add(thread);
            }
        }

        if (enabled.Count == 0 && _settling)
        {
            // Every daemon is at rest: the run ends well.
            Settled = true;
            _released = true;
            _current = null;
            SysMonitor.PulseAll(_lock);
            return;
        }

        if (enabled.Count == 0)
        {
            FailLocked($"deadlock: every thread is blocked or finished while a scenario thread has not finished (threads: {DescribeStatesLocked()}).");
            return;
        }

        // Fairness: a thread that ran FairnessBound points in a row while others could run is
        // treated as spinning (a busy-wait whose points are not marked as spins), so that PCT
        // and the bounded search, out of preemptions, do not run it for ever.
        if (_consecutive >= FairnessBound && enabled.Count > 1)
        {
            spin = true;
        }

        ControlledThread next = _strategy.Choose(enabled, from, spin, _steps);
        Debug.Assert(enabled.Contains(next));
        _consecutive = next == from ? _consecutive + 1 : 0;
        _trace.Add(next.Id);
        _current = next;
        SysMonitor.PulseAll(_lock);
    }

    private string DescribeStatesLocked() =>
        string.Join(", ", _threads.Select(t => $"{t.Name}: {(t.State == ThreadRunState.Waiting ? (t.Pulsed ? "pulsed" : "waiting on a monitor") : t.State.ToString().ToLowerInvariant())}"));

    private void WaitTurnLocked(ControlledThread self)
    {
        while (_current != self && !_released)
        {
            SysMonitor.Wait(_lock);
        }

        ThrowIfAbortedLocked(self);
    }

    private void ThrowIfAbortedLocked(ControlledThread self)
    {
        if (_aborted && !self.Daemon)
        {
            throw new ExecutionAbortedException();
        }
    }

    private void FailLocked(string failure)
    {
        _failure ??= failure;
        _aborted = true;
        _released = true;
        _current = null;
        SysMonitor.PulseAll(_lock);
    }
}

/// <summary>Where a controlled thread is.</summary>
internal enum ThreadRunState
{
    Runnable,
    Waiting,
    Finished,
}

/// <summary>A thread under an <see cref="Execution"/>'s control.</summary>
internal sealed class ControlledThread(Execution execution, string name, bool daemon)
{
    internal Execution Execution { get; } = execution;

    internal string Name { get; } = name;

    /// <summary>Attached (a pool worker) rather than spawned: the run may end while it waits.</summary>
    internal bool Daemon { get; } = daemon;

    /// <summary>Position in the run's thread list: what a trace records.</summary>
    internal int Id { get; set; }

    internal ThreadRunState State { get; set; }

    internal object? WaitingOn { get; set; }

    internal bool Pulsed { get; set; }

    internal long WaitSequence { get; set; }
}

/// <summary>A run failed: deadlock, livelock, a thread's exception, or a real-time hang.</summary>
internal sealed class ScheduleFailureException(string message) : Exception(message);

/// <summary>Unwinds a scenario thread after another thread made the run fail.</summary>
internal sealed class ExecutionAbortedException : Exception;
