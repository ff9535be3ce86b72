namespace WorkPool.Extensions.Hosting;

/// <summary>
/// The bindable part of <see cref="WorkStealingPoolOptions"/>: plain values a configuration
/// section can hold (a <c>"WorkStealingPool"</c> section of <c>appsettings.json</c>, environment
/// variables, the command line). Delegates and the <c>IMeterFactory</c> are not settings: the host
/// supplies them (its logger, its meter factory). A property left null keeps the pool's default.
/// Values are checked when the host starts (<see cref="WorkStealingPoolSettingsValidator"/>), with
/// the rules of <see cref="WorkStealingPoolOptions"/>.
/// </summary>
public sealed class WorkStealingPoolSettings
{
    /// <summary>The configuration section that <see cref="WorkStealingPoolServiceCollectionExtensions.AddWorkStealingPool(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/> callers usually pass: <c>WorkStealingPool</c>.</summary>
    public const string SectionName = "WorkStealingPool";

    /// <summary><see cref="WorkStealingPoolOptions.ThreadCount"/>.</summary>
    public int? ThreadCount { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.Name"/>.</summary>
    public string? Name { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.ThreadNamePrefix"/>.</summary>
    public string? ThreadNamePrefix { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.StackSize"/>.</summary>
    public int? StackSize { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.InjectorCapacity"/>.</summary>
    public int? InjectorCapacity { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.DequeCapacity"/>.</summary>
    public int? DequeCapacity { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.SpinCount"/>.</summary>
    public int? SpinCount { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.GuestSlots"/>.</summary>
    public int? GuestSlots { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.StatisticsSlots"/>.</summary>
    public int? StatisticsSlots { get; set; }

    /// <summary><see cref="WorkStealingPoolOptions.SpawnedJobsPerType"/>.</summary>
    public int? SpawnedJobsPerType { get; set; }

    /// <summary>
    /// The pool's options from these settings: each value that is set goes through the option's
    /// own setter, which throws <see cref="ArgumentException"/> (or
    /// <see cref="ArgumentOutOfRangeException"/>) naming the option when it is out of range.
    /// </summary>
    /// <returns>New options; the caller adds the delegates and the meter factory.</returns>
    public WorkStealingPoolOptions ToOptions()
    {
        var options = new WorkStealingPoolOptions();
        Apply(ThreadCount, v => options.ThreadCount = v);
        Apply(StackSize, v => options.StackSize = v);
        Apply(InjectorCapacity, v => options.InjectorCapacity = v);
        Apply(DequeCapacity, v => options.DequeCapacity = v);
        Apply(SpinCount, v => options.SpinCount = v);
        Apply(GuestSlots, v => options.GuestSlots = v);
        Apply(StatisticsSlots, v => options.StatisticsSlots = v);
        Apply(SpawnedJobsPerType, v => options.SpawnedJobsPerType = v);
        if (Name is { } name)
        {
            options.Name = name;
        }

        if (ThreadNamePrefix is { } prefix)
        {
            options.ThreadNamePrefix = prefix;
        }

        return options;
    }

    private static void Apply(int? value, Action<int> set)
    {
        if (value is { } given)
        {
            set(given);
        }
    }
}
