namespace Poddle.Web.Resources;

/// <summary>The teacher pages' strings (TeachText.resx, .ru.resx, .uz-Latn.resx).</summary>
public sealed class TeachText;
