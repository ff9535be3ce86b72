namespace WorkPool.Bench.Workloads;

/// <summary>
/// <c>for_matmul</c>: from an external thread, the rows of a dense product C = A × B of
/// <see cref="Size"/> × <see cref="Size"/> doubles, one parallel loop over the rows with a range
/// body (a row is about 40 µs of multiply-adds that read all of B); one operation is the whole
/// product. Coarse, memory-touching rows: the loop must balance them as well as
/// <c>Parallel.For</c> does. B is kept transposed so each dot product reads both rows in order.
/// </summary>
internal sealed class MatrixProduct
{
    /// <summary>Rows and columns of each matrix.</summary>
    internal const int Size = 192;

    private readonly double[] _a = new double[Size * Size];
    private readonly double[] _bTransposed = new double[Size * Size];

    internal MatrixProduct()
    {
        var random = new Random(42);
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = random.NextDouble() - 0.5;
            _bTransposed[i] = random.NextDouble() - 0.5;
        }
    }

    /// <summary>The product on the pool: a range body over the rows (allocation-free).</summary>
    internal void WorkPool(WorkStealingPool pool, double[] c)
    {
        var rows = new Rows(this, c);
        pool.ForRange(0, Size, ref rows);
    }

    /// <summary>The product with <see cref="Parallel.For(int, int, Action{int})"/> over the rows.</summary>
    internal void Tpl(double[] c) => Parallel.For(0, Size, i => Row(i, c));

    /// <summary>The product on the calling thread.</summary>
    internal void Sequential(double[] c)
    {
        for (int i = 0; i < Size; i++)
        {
            Row(i, c);
        }
    }

    private void Row(int i, double[] c)
    {
        ReadOnlySpan<double> a = _a.AsSpan(i * Size, Size);
        Span<double> row = c.AsSpan(i * Size, Size);
        for (int j = 0; j < Size; j++)
        {
            ReadOnlySpan<double> b = _bTransposed.AsSpan(j * Size, Size);
            double sum = 0;
            for (int k = 0; k < Size; k++)
            {
                sum += a[k] * b[k];
            }

            row[j] = sum;
        }
    }

    private readonly struct Rows(MatrixProduct product, double[] c) : IForRangeBody
    {
        public void Invoke(long fromInclusive, long toExclusive)
        {
            for (long i = fromInclusive; i < toExclusive; i++)
            {
                product.Row((int)i, c);
            }
        }
    }
}
