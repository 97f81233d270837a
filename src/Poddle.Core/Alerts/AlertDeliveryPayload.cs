namespace Poddle.Core.Alerts;

/// <summary>
/// The payload of one message to one receiver: the incident, problem or recovery, and the receiver's id
/// (<see cref="AlertReceiverKinds"/>, with the index into the operators' list: <c>operator-webhook:0</c>). The receiver's
/// address is read when the job runs, so no URL (a secret) is copied into the queue.
/// </summary>
public sealed record AlertDeliveryPayload(Guid IncidentId, string Message, string Receiver);
