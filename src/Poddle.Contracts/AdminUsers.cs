using System.Text.Json.Serialization;

namespace Poddle.Contracts;

[JsonConverter(typeof(StrictEnumConverter<UserRoleName>))]
public enum UserRoleName
{
    [JsonStringEnumMemberName("member")]
    Member,

    [JsonStringEnumMemberName("admin")]
    Admin,

    [JsonStringEnumMemberName("teacher")]
    Teacher,

    [JsonStringEnumMemberName("student")]
    Student,
}

[JsonConverter(typeof(StrictEnumConverter<UserTierName>))]
public enum UserTierName
{
    [JsonStringEnumMemberName("free")]
    Free,

    [JsonStringEnumMemberName("pro")]
    Pro,
}

/// <summary>An admin's change to a user's role or tier; an unknown value is a 400 naming the field.</summary>
public sealed record UpdateUserAccessRequest(UserRoleName? Role = null, UserTierName? Tier = null);

public sealed record UserListResponse(IReadOnlyList<UserResponse> Users, int Total);
