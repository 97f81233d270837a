using MudBlazor;

namespace Poddle.Web.Components.Layout;

/// <summary>
/// MudBlazor's default theme with the light palette's status colours darkened so that text in them (a success alert, a
/// green Submit button with white text, a warning) keeps WCAG AA contrast, 4.5:1 (axe: color-contrast). MudBlazor's
/// defaults (#00c853 green, #ff9800 orange, #f44336 red, #2196f3 blue) are 1.9 to 3.7:1 against white.
/// </summary>
public static class PoddleTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Success = "#1b5e20",
            Warning = "#8a4b00",
            Error = "#b71c1c",
            Info = "#0d47a1",
        },
    };
}
