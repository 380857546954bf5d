using System.Reflection;
using System.Runtime.ExceptionServices;
using Gme.Core.Vectors;

namespace Gme.Tests.Search;

/// <summary>An <see cref="IVectorStore"/> that passes every call to the real one and counts the searches (any Search* method).</summary>
#pragma warning disable CA1852 // Type can be sealed: DispatchProxy.Create needs a proxy type it can derive from.
public class CountingVectorStore : DispatchProxy
#pragma warning restore CA1852
{
    private IVectorStore _inner = null!;
    private int _searches;

    public int Searches => Volatile.Read(ref _searches);

    public static (IVectorStore Store, CountingVectorStore Counter) Wrap(IVectorStore inner)
    {
        var store = Create<IVectorStore, CountingVectorStore>();
        var counter = (CountingVectorStore)(object)store;
        counter._inner = inner;
        return (store, counter);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name.StartsWith("Search", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _searches);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
