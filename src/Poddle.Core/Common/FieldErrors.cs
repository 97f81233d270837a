namespace Poddle.Core.Common;

/// <summary>Collects validation messages per field (named by Core's model, see <see cref="FieldPath"/>); empty means valid.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public int Count => _errors.Count;

    public void Add(FieldPath field, string message)
    {
        if (!_errors.TryGetValue(field.Value, out var list))
        {
            list = [];
            _errors[field.Value] = list;
        }

        list.Add(message);
    }

    public Error ToError() => Error.Validation(ToDictionary());

    /// <summary>The messages keyed by <see cref="FieldPath.Value"/>, for an <see cref="Error"/> of another kind than validation.</summary>
    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
