namespace WorkPool.Tests;

/// <summary>Argument validation of every entry point and of the options.</summary>
public class ValidationTests
{
    [Fact]
    public void NullDelegates_ThrowArgumentNullException_EveryForm() => Bounded.Run(() =>
    {
        using WorkStealingPool pool = Pools.Create(1);
        AssertNullChecks(pool);
        // From inside a worker too (the inline path must validate as well).
        pool.Install(() => AssertNullChecks(pool));
        // The pool is unharmed.
        Assert.Equal(3, pool.Install(static () => 3));
    });

    [Fact]
    public void NullDelegates_ForkJoin_ThrowArgumentNullException() => Bounded.Run(() =>
    {
        Action noAction = null!;
        Func<int> noFunc = null!;
        Action<int> noStateAction = null!;
        Func<int, int> noStateFunc = null!;
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => ForkJoin.Install(noAction)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => ForkJoin.Install(noFunc)).ParamName);
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => ForkJoin.Install(1, noStateAction)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => ForkJoin.Install(1, noStateFunc)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(noAction, static () => { })).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(static () => { }, noAction)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(noFunc, static () => 1)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(static () => 1, noFunc)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(1, noStateAction, static _ => { })).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(1, static _ => { }, noStateAction)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(1, noStateFunc, static s => s)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => ForkJoin.Join(1, static s => s, noStateFunc)).ParamName);
    });

    private static void AssertNullChecks(WorkStealingPool pool)
    {
        Action noAction = null!;
        Func<int> noFunc = null!;
        Action<string> noStateAction = null!;
        Func<string, int> noStateFunc = null!;
        int ran = 0;
        Action ok = () => ran++;

        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => pool.Install(noAction)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => pool.Install(noFunc)).ParamName);
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => pool.Install("s", noStateAction)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => pool.Install("s", noStateFunc)).ParamName);

        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => pool.Join(noAction, ok)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => pool.Join(ok, noAction)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => pool.Join(noAction, noAction)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => pool.Join(noFunc, static () => 1)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => pool.Join(static () => 1, noFunc)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => pool.Join("s", noStateAction, static _ => { })).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => pool.Join("s", static _ => { }, noStateAction)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(() => pool.Join("s", noStateFunc, static s => s.Length)).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => pool.Join("s", static s => s.Length, noStateFunc)).ParamName);

        // Validation happens before anything runs: the valid half never ran.
        Assert.Equal(0, ran);
    }

    [Fact]
    public void NullOptions_ThrowArgumentNullException()
    {
        ArgumentNullException e = Assert.Throws<ArgumentNullException>(() => new WorkStealingPool(null!));
        Assert.Equal("options", e.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(WorkStealingPoolOptions.MaxThreadCount + 1)]
    [InlineData(int.MaxValue)]
    public void ThreadCount_OutOfRange_Throws(int value)
    {
        var options = new WorkStealingPoolOptions();
        int before = options.ThreadCount;
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => options.ThreadCount = value);
        Assert.Equal("ThreadCount", e.ParamName);
        Assert.Equal(value, e.ActualValue);
        Assert.Equal(before, options.ThreadCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(WorkStealingPoolOptions.MaxThreadCount)]
    public void ThreadCount_InRange_Accepted(int value)
    {
        var options = new WorkStealingPoolOptions { ThreadCount = value };
        Assert.Equal(value, options.ThreadCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(1000)]
    [InlineData(WorkStealingPoolOptions.MaxCapacity * 2)]
    [InlineData(int.MinValue)]
    public void Capacities_NotAPowerOfTwoInRange_Throw(int value)
    {
        var options = new WorkStealingPoolOptions();
        ArgumentOutOfRangeException injector = Assert.Throws<ArgumentOutOfRangeException>(() => options.InjectorCapacity = value);
        Assert.Equal("InjectorCapacity", injector.ParamName);
        Assert.Equal(value, injector.ActualValue);
        ArgumentOutOfRangeException deque = Assert.Throws<ArgumentOutOfRangeException>(() => options.DequeCapacity = value);
        Assert.Equal("DequeCapacity", deque.ParamName);
        Assert.Equal(value, deque.ActualValue);
        Assert.Equal(1024, options.InjectorCapacity);
        Assert.Equal(1024, options.DequeCapacity);
    }

    [Fact]
    public void InjectorCapacity_One_Throws_DequeCapacity_One_Accepted()
    {
        // A one-slot injector ring cannot tell full from empty; a one-slot deque is fine.
        var options = new WorkStealingPoolOptions();
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => options.InjectorCapacity = 1);
        Assert.Equal("InjectorCapacity", e.ParamName);
        Assert.Equal(1, e.ActualValue);
        Assert.Equal(1024, options.InjectorCapacity);
        options.DequeCapacity = 1;
        Assert.Equal(1, options.DequeCapacity);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(64)]
    [InlineData(WorkStealingPoolOptions.MaxCapacity)]
    public void Capacities_PowersOfTwoInRange_Accepted(int value)
    {
        var options = new WorkStealingPoolOptions { InjectorCapacity = value, DequeCapacity = value };
        Assert.Equal(value, options.InjectorCapacity);
        Assert.Equal(value, options.DequeCapacity);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void StackSizeAndSpinCount_Negative_Throw(int value)
    {
        var options = new WorkStealingPoolOptions();
        ArgumentOutOfRangeException stack = Assert.Throws<ArgumentOutOfRangeException>(() => options.StackSize = value);
        Assert.Equal("StackSize", stack.ParamName);
        ArgumentOutOfRangeException spin = Assert.Throws<ArgumentOutOfRangeException>(() => options.SpinCount = value);
        Assert.Equal("SpinCount", spin.ParamName);
        Assert.Equal(0, options.StackSize);
        Assert.Equal(512, options.SpinCount);

        options.StackSize = 0;
        options.SpinCount = 0;
        options.StackSize = 1 << 20;
        Assert.Equal(1 << 20, options.StackSize);
        Assert.Equal(0, options.SpinCount);
    }

    [Fact]
    public void ThreadNamePrefix_NullOrEmpty_Throws()
    {
        var options = new WorkStealingPoolOptions();
        ArgumentNullException isNull = Assert.Throws<ArgumentNullException>(() => options.ThreadNamePrefix = null!);
        Assert.Equal("ThreadNamePrefix", isNull.ParamName);
        ArgumentException empty = Assert.Throws<ArgumentException>(() => options.ThreadNamePrefix = string.Empty);
        Assert.Equal("ThreadNamePrefix", empty.ParamName);
        Assert.Equal("WorkPool", options.ThreadNamePrefix);
    }

    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new WorkStealingPoolOptions();
        Assert.Equal(Environment.ProcessorCount, options.ThreadCount);
        Assert.Equal("WorkPool", options.ThreadNamePrefix);
        Assert.Equal(0, options.StackSize);
        Assert.Equal(1024, options.InjectorCapacity);
        Assert.Equal(1024, options.DequeCapacity);
        Assert.Equal(512, options.SpinCount);
        Assert.Null(options.OnWorkerStart);
        Assert.Null(options.OnWorkerExit);
    }

    [Fact]
    public void Options_AreCopied_LaterChangesDoNotAffectAPool() => Bounded.Run(() =>
    {
        // No guest slots: the Install runs on a worker, whose name shows the prefix.
        var options = new WorkStealingPoolOptions { ThreadCount = 2, ThreadNamePrefix = "copied", GuestSlots = 0 };
        using var pool = new WorkStealingPool(options);
        options.ThreadCount = 5;
        options.ThreadNamePrefix = "changed";
        options.GuestSlots = 3;
        Assert.Equal(2, pool.ThreadCount);
        Assert.Equal(2, pool.ParticipantCount);
        string? name = pool.Install(static () => Thread.CurrentThread.Name);
        Assert.StartsWith("copied-", name, StringComparison.Ordinal);
    });

    [Fact]
    public void DefaultConstructor_OneWorkerPerProcessor() => Bounded.Run(() =>
    {
        using var pool = new WorkStealingPool();
        Assert.Equal(Environment.ProcessorCount, pool.ThreadCount);
        Assert.Equal(Environment.ProcessorCount + Math.Max(4, Environment.ProcessorCount), pool.ParticipantCount);
        var names = new string?[pool.ThreadCount];
        pool.Broadcast(names, static (names, index) => names[index] = Thread.CurrentThread.Name);
        Assert.Equal(Enumerable.Range(0, pool.ThreadCount).Select(i => $"WorkPool-{i}"), names);
    });
}
