namespace WorkPool.ScheduleTests;

/// <summary>Picks the thread that runs next at each scheduling decision of one run.</summary>
internal interface IScheduleStrategy
{
    /// <summary>How to replay this run (e.g. <c>pct:1234</c>).</summary>
    string Name { get; }

    /// <summary>
    /// One of <paramref name="enabled"/> (ordered by id). <paramref name="current"/> is the thread
    /// that reached the decision (null at the start or when it finished or blocked); <paramref name="spin"/>
    /// means it is in a wait loop and cannot progress by itself.
    /// </summary>
    ControlledThread Choose(IReadOnlyList<ControlledThread> enabled, ControlledThread? current, bool spin, int step);
}

/// <summary>Uniformly random among the enabled threads (a spinning thread yields to any other).</summary>
internal sealed class RandomStrategy(int seed) : IScheduleStrategy
{
    private readonly Random _random = new(seed);

    public string Name => $"random:{seed}";

    public ControlledThread Choose(IReadOnlyList<ControlledThread> enabled, ControlledThread? current, bool spin, int step)
    {
        if (spin && enabled.Count > 1)
        {
            // Spinning again changes nothing: give the step to someone who can make progress.
            int pick = _random.Next(enabled.Count - 1);
            return enabled.Where(t => t != current).ElementAt(pick);
        }

        return enabled[_random.Next(enabled.Count)];
    }
}

/// <summary>
/// Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010):
/// random distinct priorities, the highest-priority enabled thread always runs, and at
/// <c>depth − 1</c> random steps the running thread drops below every initial priority. A bug
/// of depth d (d ordering constraints) is found with probability at least 1/(n·k^(d−1)) per run.
/// A thread that spins drops to the bottom, so a waiter never starves the thread it waits for.
/// </summary>
internal sealed class PctStrategy : IScheduleStrategy
{
    private readonly Random _random;
    private readonly int _seed;
    private readonly int _depth;
    private readonly int _expectedSteps;
    private readonly Dictionary<int, int> _changePoints = [];
    private readonly Dictionary<ControlledThread, int> _priorities = [];
    private int _lowest;

    internal PctStrategy(int seed, int depth, int expectedSteps)
    {
        _seed = seed;
        _depth = depth;
        _expectedSteps = expectedSteps;
        _random = new Random(seed);
        for (int i = 1; i < depth; i++)
        {
            // Change point i lowers the running thread to priority −i: later ones go lower.
            _changePoints[1 + _random.Next(Math.Max(1, expectedSteps))] = -i;
        }

        _lowest = -depth;
    }

    public string Name => $"pct:{_seed}:{_depth}:{_expectedSteps}";

    public ControlledThread Choose(IReadOnlyList<ControlledThread> enabled, ControlledThread? current, bool spin, int step)
    {
        foreach (ControlledThread thread in enabled)
        {
            if (!_priorities.ContainsKey(thread))
            {
                // Initial priorities are distinct and above every change-point priority.
                int priority;
                do
                {
                    priority = _depth + _random.Next(1 << 20);
                }
                while (_priorities.ContainsValue(priority));

                _priorities[thread] = priority;
            }
        }

        if (current is not null && _priorities.ContainsKey(current))
        {
            if (spin)
            {
                _priorities[current] = --_lowest;
            }
            else if (_changePoints.TryGetValue(step, out int lowered))
            {
                _priorities[current] = lowered;
            }
        }

        ControlledThread best = enabled[0];
        foreach (ControlledThread thread in enabled)
        {
            if (_priorities[thread] > _priorities[best])
            {
                best = thread;
            }
        }

        return best;
    }
}

/// <summary>
/// Bounded exhaustive search, shared by the runs of one exploration: depth-first over every
/// schedule with at most <c>preemptionBound</c> preemptions (switching away from a thread that
/// could go on; switching away from a spinning, blocked or finished thread is free, and a
/// spinning thread always yields to any other), as in CHESS
/// (Musuvathi, Qadeer, PLDI 2007). Each run replays the previous one's choices up to the last
/// decision with an untried option, then takes that option.
/// </summary>
internal sealed class DfsSearch(int preemptionBound)
{
    private readonly List<(int Choice, int Count)> _stack = [];
    private readonly int _preemptionBound = preemptionBound;

    /// <summary>True once every schedule within the bound has been run.</summary>
    internal bool Exhausted { get; private set; }

    /// <summary>The strategy for the next run.</summary>
    internal IScheduleStrategy NextRun(int run) => new DfsStrategy(this, run);

    /// <summary>After <paramref name="finished"/> ran: move to the next unexplored schedule.</summary>
    internal void Advance(IScheduleStrategy finished)
    {
        // A run that failed early left the rest of the previous path behind: drop it.
        int position = ((DfsStrategy)finished).Position;
        _stack.RemoveRange(position, _stack.Count - position);
        while (_stack.Count > 0 && _stack[^1].Choice + 1 >= _stack[^1].Count)
        {
            _stack.RemoveAt(_stack.Count - 1);
        }

        if (_stack.Count == 0)
        {
            Exhausted = true;
            return;
        }

        _stack[^1] = (_stack[^1].Choice + 1, _stack[^1].Count);
    }

    private sealed class DfsStrategy(DfsSearch search, int run) : IScheduleStrategy
    {
        private int _position;
        private int _preemptions;

        internal int Position => _position;

        public string Name => $"dfs:run {run}, preemption bound {search._preemptionBound}";

        public ControlledThread Choose(IReadOnlyList<ControlledThread> enabled, ControlledThread? current, bool spin, int step)
        {
            // Option order: keep running the current thread first (no preemption), then the others by id.
            bool canContinue = current is not null && enabled.Contains(current);
            List<ControlledThread> options = [];
            if (canContinue && !spin)
            {
                options.Add(current!);
                if (_preemptions < search._preemptionBound)
                {
                    options.AddRange(enabled.Where(t => t != current));
                }
            }
            else
            {
                // A spinning thread is offered again only when nobody else can run: spinning
                // again changes no state, and offering it would make the search tree infinite.
                options.AddRange(enabled.Where(t => t != current));
                if (canContinue && options.Count == 0)
                {
                    options.Add(current!);
                }
            }

            List<(int Choice, int Count)> stack = search._stack;
            int choice;
            if (_position < stack.Count)
            {
                choice = stack[_position].Choice;
                if (stack[_position].Count != options.Count)
                {
                    throw new InvalidOperationException($"Nondeterministic scenario: decision {_position} had {stack[_position].Count} options before and {options.Count} now.");
                }
            }
            else
            {
                choice = 0;
                stack.Add((0, options.Count));
            }

            _position++;
            ControlledThread next = options[choice];
            if (canContinue && !spin && next != current)
            {
                _preemptions++;
            }

            return next;
        }
    }
}
