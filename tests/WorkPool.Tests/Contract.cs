namespace WorkPool.Tests;

/// <summary>Assertions for the exception contract of docs/exceptions.md.</summary>
internal static class Contract
{
    /// <summary>
    /// An operation of several parts (a loop, a scope, a broadcast) in which exactly one part
    /// threw: it throws an AggregateException holding that one exception, which is returned.
    /// </summary>
    public static T ThrowsOne<T>(Action operation)
        where T : Exception
    {
        AggregateException all = Assert.Throws<AggregateException>(operation);
        return Assert.IsType<T>(Assert.Single(all.InnerExceptions));
    }

    /// <summary>Like <see cref="ThrowsOne{T}(Action)"/>, for an operation with a result.</summary>
    public static T ThrowsOne<T>(Func<object?> operation)
        where T : Exception => ThrowsOne<T>(() => { _ = operation(); });
}
