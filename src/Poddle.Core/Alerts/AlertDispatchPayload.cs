namespace Poddle.Core.Alerts;

/// <summary>The payload of one message's dispatch: which incident, and whether it is its problem or its recovery (<see cref="AlertMessageKinds"/>).</summary>
public sealed record AlertDispatchPayload(Guid IncidentId, string Message);
