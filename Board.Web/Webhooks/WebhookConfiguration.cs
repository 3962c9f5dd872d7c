using Board.Web.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Board.Web.Webhooks;

public sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> b)
    {
        b.ToTable("webhooks");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasOne<Domain.Boards.Board>().WithMany().HasForeignKey(x => x.BoardId).OnDelete(DeleteBehavior.Restrict);
        b.Property(x => x.Url).HasMaxLength(Webhook.UrlMax).IsRequired();
        b.Property(x => x.Secret).HasMaxLength(Webhook.SecretMax).IsRequired();
        b.PrimitiveCollection(x => x.Actions);
        b.HasIndex(x => new { x.BoardId, x.DeletedAt });
        b.Ignore(x => x.IsActive);
    }
}

public sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("webhook_deliveries");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.HasOne<Webhook>().WithMany().HasForeignKey(x => x.WebhookId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Domain.Trail.AuditEntry>().WithMany().HasForeignKey(x => x.Seq).OnDelete(DeleteBehavior.Restrict);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.LastError).HasMaxLength(WebhookAttempt.ErrorMax);
        // One outbox row per entry per webhook, whatever the code does.
        b.HasIndex(x => new { x.WebhookId, x.Seq }).IsUnique();
        // The worker's scan: pending rows by due time.
        b.HasIndex(x => new { x.Status, x.NextAttemptAt });
        b.HasMany(x => x.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> b)
    {
        b.ToTable("webhook_attempts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Error).HasMaxLength(WebhookAttempt.ErrorMax);
        b.HasIndex(x => new { x.DeliveryId, x.Number });
        b.Ignore(x => x.Succeeded);
    }
}

/// <summary>The webhook tables, named on <see cref="BoardDb"/> by this feature: Persistence knows no feature.</summary>
public static class WebhookTables
{
    extension(BoardDb db)
    {
        public DbSet<Webhook> Webhooks => db.Set<Webhook>();
        public DbSet<WebhookDelivery> Deliveries => db.Set<WebhookDelivery>();
        public DbSet<WebhookAttempt> DeliveryAttempts => db.Set<WebhookAttempt>();
    }
}
