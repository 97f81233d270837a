namespace Poddle.Web.Resources;

/// <summary>The marker of the AccountText resources (Resources/AccountText.resx, .ru.resx, .uz-Latn.resx).</summary>
public sealed class AccountText;
