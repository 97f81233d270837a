namespace Poddle.Web.Resources;

/// <summary>The student pages' strings (Components/Learn): LearnText.resx (English), .ru.resx, .uz-Latn.resx.</summary>
public sealed class LearnText;
