using Board.Domain.Boards;
using Board.Domain.Members;
using Board.Domain.Proposals;
using Board.Domain.Trail;
using Board.Web.Boards;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Board.Web.Meta;

/// <summary>The rule's vocabulary as the domain owns it, so the page reads it instead of keeping a copy.</summary>
public sealed record MetaDto(
    IReadOnlyList<string> Roles, IReadOnlyList<string> Actions, IReadOnlyList<string> Statuses, PolicyLimitsDto Policy, TextLimitsDto Limits);

public sealed record PolicyLimitsDto(PolicyDto Default, int MinApprovals, int MaxApprovals, int MaxExpiryDays);

public sealed record TextLimitsDto(int Title, int Body, int Note, int Comment, int MemberName, int BoardName);

public static class MetaEndpoints
{
    private static readonly MetaDto Meta = new(
        Roles.All,
        TrailActions.All,
        [.. Enum.GetValues<ProposalStatus>().Select(Proposals.ProposalDto.StatusName)],
        new PolicyLimitsDto(PolicyDto.From(BoardPolicy.Default), BoardPolicy.MinApprovals, BoardPolicy.MaxApprovals, BoardPolicy.MaxExpiryDays),
        new TextLimitsDto(Proposal.TitleMax, Proposal.BodyMax, Proposal.NoteMax, Comment.BodyMax, Member.NameMax, Board.Domain.Boards.Board.NameMax));

    public static IEndpointRouteBuilder MapMeta(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/meta", () => TypedResults.Ok(Meta)).WithName("getMeta").WithSummary("Get the rule's vocabulary and limits").WithTags("Meta").RequireAuthorization();
        return app;
    }
}
