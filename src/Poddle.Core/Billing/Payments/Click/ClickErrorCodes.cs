namespace Poddle.Core.Billing.Payments.Click;

/// <summary>Click SHOP API's <c>error</c> codes, as Click publishes them, with their <c>error_note</c>s.</summary>
public static class ClickErrorCodes
{
    public const int Success = 0;

    public const int SignCheckFailed = -1;

    public const int IncorrectAmount = -2;

    public const int ActionNotFound = -3;

    public const int AlreadyPaid = -4;

    /// <summary>No such order (Click's "user does not exist": the merchant_trans_id names nothing payable).</summary>
    public const int UserNotFound = -5;

    public const int TransactionNotFound = -6;

    public const int FailedToUpdateUser = -7;

    public const int BadRequest = -8;

    public const int TransactionCancelled = -9;

    public static string Note(int code) => code switch
    {
        Success => "Success",
        SignCheckFailed => "SIGN CHECK FAILED!",
        IncorrectAmount => "Incorrect parameter amount",
        ActionNotFound => "Action not found",
        AlreadyPaid => "Already paid",
        UserNotFound => "User does not exist",
        TransactionNotFound => "Transaction does not exist",
        FailedToUpdateUser => "Failed to update user",
        BadRequest => "Error in request from click",
        TransactionCancelled => "Transaction cancelled",
        _ => "Unknown error",
    };
}
