namespace WorkPool.ScheduleTests;

/// <summary>
/// A model of x86-style store buffering (TSO) for the explorer, which otherwise runs
/// sequentially consistent schedules: each thread's plain stores wait in its own FIFO buffer and
/// reach memory only at a fence, an interlocked operation, or the end of the thread's current
/// operation, one schedule point later. Its own loads see its buffered stores (forwarding);
/// other threads do not. This is the one reordering x86 allows (a load passing an earlier
/// store), the one the Chase–Lev pop fence exists for. Only one thread runs at a time, so the
/// model needs no locking.
/// </summary>
internal sealed class StoreBufferMemory(int locations)
{
    private readonly long[] _memory = new long[locations];
    private readonly Dictionary<int, List<(int Location, long Value)>> _buffers = [];

    internal long Load(int location)
    {
        List<(int Location, long Value)> own = Own();
        for (int i = own.Count - 1; i >= 0; i--)
        {
            if (own[i].Location == location)
            {
                return own[i].Value;
            }
        }

        return _memory[location];
    }

    internal void Store(int location, long value) => Own().Add((location, value));

    /// <summary>A full fence: the calling thread's buffered stores reach memory, oldest first.</summary>
    internal void Fence()
    {
        List<(int Location, long Value)> own = Own();
        foreach ((int location, long value) in own)
        {
            _memory[location] = value;
        }

        own.Clear();
    }

    internal long CompareExchange(int location, long value, long comparand)
    {
        Fence();
        long current = _memory[location];
        if (current == comparand)
        {
            _memory[location] = value;
        }

        return current;
    }

    internal void Exchange(int location, long value)
    {
        Fence();
        _memory[location] = value;
    }

    /// <summary>End of an operation: the stores may still sit in the buffer for one more step, then drain.</summary>
    internal void EndOperation()
    {
        SchedulePoint.Hit();
        Fence();
    }

    private List<(int Location, long Value)> Own()
    {
        int thread = Environment.CurrentManagedThreadId;
        if (!_buffers.TryGetValue(thread, out List<(int Location, long Value)>? buffer))
        {
            buffer = [];
            _buffers[thread] = buffer;
        }

        return buffer;
    }
}

/// <summary>
/// The Chase–Lev algorithm of <see cref="WorkDeque"/>, transcribed onto <see cref="StoreBufferMemory"/>
/// (jobs by id), with or without the full fence of pop between its store of bottom and its load
/// of top. Without it the explorer finds owner and thief taking the same job; with it, not.
/// </summary>
internal sealed class StoreBufferDeque : IDeque
{
    private const int Top = 0;
    private const int Bottom = 1;
    private const int Cells = 2;

    private readonly StoreBufferMemory _memory;
    private readonly Dictionary<long, Job> _jobs = [];
    private readonly int _capacity;
    private readonly bool _fenceInPop;

    internal StoreBufferDeque(int capacity, bool fenceInPop)
    {
        _capacity = capacity;
        _fenceInPop = fenceInPop;
        _memory = new StoreBufferMemory(Cells + capacity);
    }

    public bool TryPush(Job job)
    {
        long id = ((TestJob)job).Id + 1; // 0 is an empty cell
        _jobs[id] = job;
        long bottom = _memory.Load(Bottom);
        SchedulePoint.Hit();
        long top = _memory.Load(Top);
        if (bottom - top >= _capacity)
        {
            _memory.EndOperation();
            return false;
        }

        _memory.Store(Cells + (int)(bottom % _capacity), id);
        SchedulePoint.Hit();
        _memory.Store(Bottom, bottom + 1); // FIFO buffer: stores stay in order, as a release store needs
        _memory.EndOperation();
        return true;
    }

    public Job? TryPop()
    {
        long bottom = _memory.Load(Bottom) - 1;
        SchedulePoint.Hit();
        if (_fenceInPop)
        {
            _memory.Exchange(Bottom, bottom);
        }
        else
        {
            _memory.Store(Bottom, bottom);
        }

        SchedulePoint.Hit();
        long top = _memory.Load(Top);
        Job? job = null;
        if (top < bottom)
        {
            job = _jobs[_memory.Load(Cells + (int)(bottom % _capacity))];
        }
        else if (top == bottom)
        {
            long id = _memory.Load(Cells + (int)(bottom % _capacity));
            SchedulePoint.Hit();
            bool won = _memory.CompareExchange(Top, top + 1, top) == top;
            SchedulePoint.Hit();
            _memory.Store(Bottom, bottom + 1);
            job = won ? _jobs[id] : null;
        }
        else
        {
            SchedulePoint.Hit();
            _memory.Store(Bottom, bottom + 1);
        }

        _memory.EndOperation();
        return job;
    }

    public Job? TrySteal()
    {
        SchedulePoint.Hit();
        long top = _memory.Load(Top);
        _memory.Fence();
        SchedulePoint.Hit();
        long bottom = _memory.Load(Bottom);
        if (top >= bottom)
        {
            _memory.EndOperation();
            return null;
        }

        SchedulePoint.Hit();
        long id = _memory.Load(Cells + (int)(top % _capacity));
        SchedulePoint.Hit();
        bool won = _memory.CompareExchange(Top, top + 1, top) == top;
        _memory.EndOperation();
        return won ? _jobs[id] : null;
    }
}
