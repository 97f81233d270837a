namespace Poddle.Web.Resources;

/// <summary>The admin pages' strings (AdminText.resx, .ru.resx, .uz-Latn.resx).</summary>
public sealed class AdminText;
