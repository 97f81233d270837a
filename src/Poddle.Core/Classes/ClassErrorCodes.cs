namespace Poddle.Core.Classes;

/// <summary>The stable error codes of classes.</summary>
public static class ClassErrorCodes
{
    public const string OwnClass = "own-class";
}
