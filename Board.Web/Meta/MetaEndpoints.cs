using System.Reflection;
using System.Text.Json;
using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Auth;
using Board.Web.Boards;
using Board.Web.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Board.Web.Meta;

/// <summary>
/// The rule's vocabulary as the domain owns it, so the page reads it instead of keeping a copy: each list in display
/// order, and each also by name (<c>status.executed</c>, <c>action.proposalExecuted</c>, <c>role.admin</c>) for the
/// page's code to name one; <c>may</c> says which roles may do what beyond a board's own approver role.
/// </summary>
public sealed record MetaDto(
    IReadOnlyList<string> Roles, IReadOnlyList<string> Actions, IReadOnlyList<string> Statuses, PolicyLimitsDto Policy, TextLimitsDto Limits,
    IReadOnlyDictionary<string, string> Role, IReadOnlyDictionary<string, string> Action, IReadOnlyDictionary<string, string> Status, MayDto May,
    PhotoLimitsDto Photos);

public sealed record PolicyLimitsDto(PolicyDto Default, int MinApprovals, int MaxApprovals, int MaxExpiryDays);

public sealed record TextLimitsDto(
    int Title, int Body, int Note, int Comment, int MemberName, int BoardName, int PasswordMin, int WebhookUrl, int SecretMin, int SecretMax);

/// <summary>The roles, any one of which lets a member administer (members, boards, webhooks), review (insights, trail export) or complete.</summary>
public sealed record MayDto(IReadOnlyList<string> Administer, IReadOnlyList<string> Review, IReadOnlyList<string> Complete);

public sealed record PhotoLimitsDto(int PerProposal, long UploadBytes, int Alt);

public static class MetaEndpoints
{
    /// <summary>The document <c>GET /api/meta</c> serves.</summary>
    public static MetaDto Document { get; } = new(
        Roles.All,
        TrailActions.All,
        [.. Enum.GetValues<ProposalStatus>().Select(Proposals.ProposalDto.StatusName)],
        new PolicyLimitsDto(PolicyDto.From(BoardPolicy.Default), BoardPolicy.MinApprovals, BoardPolicy.MaxApprovals, BoardPolicy.MaxExpiryDays),
        new TextLimitsDto(Proposal.TitleMax, Proposal.BodyMax, Proposal.NoteMax, Comment.BodyMax, Member.NameMax, Board.Domain.Boards.Board.NameMax,
            AuthSetup.PasswordMin, Webhook.UrlMax, Webhook.SecretMin, Webhook.SecretMax),
        Roles.All.ToDictionary(r => r),
        typeof(TrailActions).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral)
            .ToDictionary(f => JsonNamingPolicy.CamelCase.ConvertName(f.Name), f => (string)f.GetRawConstantValue()!),
        Enum.GetValues<ProposalStatus>().ToDictionary(s => JsonNamingPolicy.CamelCase.ConvertName(s.ToString()), Proposals.ProposalDto.StatusName),
        new MayDto([Roles.Admin], Roles.Reviewers, [Roles.Completer]),
        new PhotoLimitsDto(Attachment.PerProposalMax, Attachment.UploadMaxBytes, Attachment.AltMax));

    public static IEndpointRouteBuilder MapMeta(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/meta", () => TypedResults.Ok(Document)).WithName("getMeta").WithSummary("Get the rule's vocabulary and limits").WithTags("Meta").RequireAuthorization();
        return app;
    }
}
