namespace Board.Tests;

/// <summary>Fast retries and a short timeout, so the schedule can be watched within a test.</summary>
public sealed class WebhookApp : BoardApp
{
    public static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Webhooks:FirstRetrySeconds"] = "0.2",
        ["Webhooks:MaxRetrySeconds"] = "1",
        ["Webhooks:PollMilliseconds"] = "100",
        ["Webhooks:TimeoutSeconds"] = "2",
    };

    protected override IDictionary<string, string?> Settings => FastRetries;
}

/// <summary>An app over an existing folder's database: stopping one and starting another is a server restart; two at once are two instances.</summary>
public sealed class InstanceApp(string folder, IDictionary<string, string?>? settings = null, string? postgresDatabase = null)
    : BoardApp(folder, postgresDatabase: postgresDatabase)
{
    protected override IDictionary<string, string?> Settings => settings ?? WebhookApp.FastRetries;
}

/// <summary>Fast polling but a patient timeout: a receiver that holds its answers is slow, not failing.</summary>
public sealed class PatientWebhookApp : BoardApp
{
    public static readonly Dictionary<string, string?> PatientSettings = new(WebhookApp.FastRetries) { ["Webhooks:TimeoutSeconds"] = "30" };

    protected override IDictionary<string, string?> Settings => PatientSettings;
}

public sealed class PatientPostgresWebhookApp : PostgresBoardApp
{
    protected override IDictionary<string, string?> Settings => PatientWebhookApp.PatientSettings;
}
