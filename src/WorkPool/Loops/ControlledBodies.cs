using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace WorkPool;

/// <summary>An iteration that receives a <see cref="LoopControl"/> (the delegate forms with Break/Stop).</summary>
internal interface IControlledIndexBody
{
    void Invoke(long index, LoopControl control);
}

/// <summary>
/// Loop body for the forms with Break/Stop: before each iteration it checks the flags, so a Stop
/// or a Break below the iteration ends the piece (two plain reads per iteration; the other
/// forms check only per piece).
/// </summary>
internal struct ControlledLoopBody<TBody>(TBody body) : ILoopBody<NoResult>
    where TBody : struct, IControlledIndexBody
{
    public TBody Body = body;

    public readonly NoResult Identity() => default;

    public NoResult Accumulate(NoResult accumulator, long fromInclusive, long toExclusive, ref LoopFlags flags)
    {
        for (long i = fromInclusive; i < toExclusive && !flags.ShouldSkip(i); i++)
        {
            Body.Invoke(i, new LoopControl(ref flags, i));
        }

        return accumulator;
    }

    public readonly NoResult Combine(NoResult left, NoResult right) => default;
}

/// <summary>Controlled iteration for <see cref="ControlledForAction"/>.</summary>
internal readonly struct ControlledActionBody(ControlledForAction body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body((int)index, control);
}

/// <summary>Controlled iteration for <see cref="LongControlledForAction"/>.</summary>
internal readonly struct LongControlledActionBody(LongControlledForAction body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body(index, control);
}

/// <summary>Controlled iteration for <see cref="ControlledForAction{TState}"/> with its state.</summary>
internal readonly struct StateControlledActionBody<TState>(TState state, ControlledForAction<TState> body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body(state, (int)index, control);
}

/// <summary>Controlled iteration for <see cref="LongControlledForAction{TState}"/> with its state.</summary>
internal readonly struct LongStateControlledActionBody<TState>(TState state, LongControlledForAction<TState> body) : IControlledIndexBody
{
    public void Invoke(long index, LoopControl control) => body(state, index, control);
}
