namespace WorkPool.Bench.Quick;

/// <summary>What the quick harness reports for one workload and contender.</summary>
/// <param name="NsPerOp">Median over the timed rounds of nanoseconds per operation.</param>
/// <param name="BytesPerOp">Bytes allocated by the whole process over all timed rounds, per operation.</param>
internal readonly record struct Measurement(double NsPerOp, double BytesPerOp);
