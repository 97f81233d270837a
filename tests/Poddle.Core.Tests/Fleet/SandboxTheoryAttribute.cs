using Poddle.Core.Tests.Curriculum.Grading;

namespace Poddle.Core.Tests.Fleet;

/// <summary>A theory that needs bubblewrap (the real sandbox): skipped where <see cref="SandboxFactAttribute"/> would be, never on CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SandboxTheoryAttribute : TheoryAttribute
{
    public SandboxTheoryAttribute()
    {
        Skip = SandboxFactAttribute.SkipReason();
    }
}
