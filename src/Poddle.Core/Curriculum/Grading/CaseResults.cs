namespace Poddle.Core.Curriculum.Grading;

/// <summary>
/// The results of one grading, filled in case by case. Each result is handed to the grading's listener as soon as it is
/// set, one call at a time (cases run in parallel; the listener, which may save to a database, never runs concurrently
/// with itself).
/// </summary>
internal sealed class CaseResults(int count, Func<CaseResult, CancellationToken, Task>? onCase) : IDisposable
{
    private readonly CaseResult?[] _results = new CaseResult?[count];
    private readonly SemaphoreSlim _listener = new(1, 1);

    /// <summary>The case's result; null until it is set.</summary>
    public CaseResult? this[int index] => _results[index];

    /// <summary>Every slot, in the problem's order (null where a case got no result).</summary>
    public IReadOnlyList<CaseResult?> All => _results;

    /// <summary>Sets the result of <paramref name="result"/>'s case and tells the listener.</summary>
    public async Task SetAsync(CaseResult result, CancellationToken cancellationToken)
    {
        _results[result.Index] = result;
        if (onCase is null)
        {
            return;
        }

        await _listener.WaitAsync(cancellationToken);
        try
        {
            await onCase(result, cancellationToken);
        }
        finally
        {
            _listener.Release();
        }
    }

    public void Dispose() => _listener.Dispose();
}
