using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace WorkPool;

/// <summary>
/// Where a thread's stack ends, so that a Join, Install or Scope entered too deep throws
/// <see cref="InsufficientExecutionStackException"/> (as .NET's own recursive code does through
/// <see cref="System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack"/>)
/// instead of overflowing the stack, which ends the process. The limit is the lowest address of
/// the thread's stack plus <see cref="Reserve"/>; it is asked from the OS once per thread
/// (pthread_getattr_np on Linux, pthread_get_stackaddr_np on macOS, GetCurrentThreadStackLimits on
/// Windows) and kept in a field (a worker's, an outside thread's context), so a check costs one
/// compare of a local's address against a field.
/// </summary>
internal static unsafe class StackGuard
{
    /// <summary>
    /// Stack kept free below the limit: room for the exception's dispatch and for what runs while
    /// it unwinds (a Join whose first half threw still runs or awaits its second half). Twice what
    /// <c>EnsureSufficientExecutionStack</c> guarantees on 64-bit.
    /// </summary>
    internal const int Reserve = 256 * 1024;

    /// <summary>No limit known: every address compares above it.</summary>
    private const nuint None = 1;

    /// <summary>
    /// The calling thread's limit, asked from the OS (callers keep it: a worker for its life, an
    /// outside thread in its context). Where the OS cannot be asked, a worker's limit comes from
    /// its stack base and <paramref name="knownSize"/> (the pool's
    /// <see cref="WorkStealingPoolOptions.StackSize"/>), and without that there is none.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static nuint CurrentThreadLimit(nuint knownBase = 0, int knownSize = 0)
    {
        nuint lowest = LowestAddressOfCurrentThread();
        if (lowest == 0 && knownBase != 0 && knownSize > Reserve)
        {
            lowest = knownBase - (nuint)knownSize;
        }

        return lowest == 0 ? None : lowest + Reserve;
    }

    /// <summary>The lowest address of the calling thread's stack, or 0 when this platform cannot tell.</summary>
    private static nuint LowestAddressOfCurrentThread()
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                return TryExport("kernel32.dll", "GetCurrentThreadStackLimits", out nint limits)
                    ? WindowsLowest((delegate* unmanaged<nuint*, nuint*, void>)limits)
                    : 0;
            }

            nint main = NativeLibrary.GetMainProgramHandle();
            if (OperatingSystem.IsMacOS())
            {
                return NativeLibrary.TryGetExport(main, "pthread_self", out nint self)
                    && NativeLibrary.TryGetExport(main, "pthread_get_stackaddr_np", out nint top)
                    && NativeLibrary.TryGetExport(main, "pthread_get_stacksize_np", out nint size)
                    ? MacLowest((delegate* unmanaged<nint>)self, (delegate* unmanaged<nint, nuint>)top, (delegate* unmanaged<nint, nuint>)size)
                    : 0;
            }

            return NativeLibrary.TryGetExport(main, "pthread_self", out nint pthreadSelf)
                && NativeLibrary.TryGetExport(main, "pthread_getattr_np", out nint getAttributes)
                && NativeLibrary.TryGetExport(main, "pthread_attr_getstack", out nint getStack)
                && NativeLibrary.TryGetExport(main, "pthread_attr_destroy", out nint destroy)
                ? PosixLowest(
                    (delegate* unmanaged<nint>)pthreadSelf,
                    (delegate* unmanaged<nint, byte*, int>)getAttributes,
                    (delegate* unmanaged<byte*, nuint*, nuint*, int>)getStack,
                    (delegate* unmanaged<byte*, int>)destroy)
                : 0;
        }
        catch (DllNotFoundException)
        {
            return 0;
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    private static bool TryExport(string library, string name, out nint address)
    {
        address = 0;
        return NativeLibrary.TryLoad(library, out nint handle) && NativeLibrary.TryGetExport(handle, name, out address);
    }

    private static nuint WindowsLowest(delegate* unmanaged<nuint*, nuint*, void> limits)
    {
        nuint low;
        nuint high;
        limits(&low, &high);
        return low;
    }

    private static nuint MacLowest(delegate* unmanaged<nint> self, delegate* unmanaged<nint, nuint> top, delegate* unmanaged<nint, nuint> size)
    {
        nint thread = self();
        return top(thread) - size(thread);
    }

    private static nuint PosixLowest(
        delegate* unmanaged<nint> self,
        delegate* unmanaged<nint, byte*, int> getAttributes,
        delegate* unmanaged<byte*, nuint*, nuint*, int> getStack,
        delegate* unmanaged<byte*, int> destroy)
    {
        // pthread_attr_t is at most 64 bytes on the supported ABIs; leave room to spare.
        byte* attributes = stackalloc byte[256];
        if (getAttributes(self(), attributes) != 0)
        {
            return 0;
        }

        nuint address;
        nuint size;
        int result = getStack(attributes, &address, &size);
        _ = destroy(attributes);
        return result == 0 ? address : 0;
    }
}
