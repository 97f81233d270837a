using Poddle.Core.Common;

namespace Poddle.Core.Curriculum;

/// <summary>Fields curriculum errors name that are not a property of a Core input (the rest are, by <c>nameof</c>).</summary>
public static class CurriculumFields
{
    /// <summary>A problem document as a whole: an imported file, or a draft whose errors name no field of it.</summary>
    public static readonly FieldPath ProblemFile = FieldPath.Of("ProblemFile");
}
