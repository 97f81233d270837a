namespace Poddle.Core.Curriculum;

/// <summary>One thing wrong with a curriculum file.</summary>
/// <param name="File">The file's name (e.g. problems/add.yaml).</param>
/// <param name="Field">The field's path (e.g. tests[3].expected); empty for the whole file.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record CurriculumError(string File, string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Field.Length == 0 ? $"{File}: {Message}" : $"{File}: {Field}: {Message}";
}

/// <summary>Curriculum files that are not valid; <see cref="Errors"/> lists every problem found, each naming its file and field.</summary>
public sealed class CurriculumException : Exception
{
    /// <summary>Creates the exception from the errors found (at least one).</summary>
    public CurriculumException(IReadOnlyList<CurriculumError> errors)
        : base("invalid curriculum: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with one error.</summary>
    public CurriculumException(string message)
        : this([new CurriculumError("(curriculum)", string.Empty, message)])
    {
    }

    /// <summary>Creates the exception with one error.</summary>
    public CurriculumException()
        : this("invalid curriculum")
    {
    }

    /// <summary>Creates the exception with one error and its cause.</summary>
    public CurriculumException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new CurriculumError("(curriculum)", string.Empty, message)];
    }

    /// <summary>Every error, in file order.</summary>
    public IReadOnlyList<CurriculumError> Errors { get; }
}
