namespace Poddle.Web.Resources;

/// <summary>The marker of the ShellText resources (Resources/ShellText.resx, .ru.resx, .uz-Latn.resx).</summary>
public sealed class ShellText;
