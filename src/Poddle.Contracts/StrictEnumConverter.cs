using System.Text.Json.Serialization;

namespace Poddle.Contracts;

/// <summary>
/// Enums travel as their documented names only. Integers are refused, so a value outside the enum can never
/// slip through as a number; an unknown name or number is a JSON error that the server reports as a 400 naming the field.
/// </summary>
public sealed class StrictEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false)
    where TEnum : struct, Enum;
