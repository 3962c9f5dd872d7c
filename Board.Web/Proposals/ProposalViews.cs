using System.Runtime.CompilerServices;
using Board.Domain.Proposals;

namespace Board.Web.Proposals;

/// <summary>
/// The proposal view, built once per committed state: the request that changed a proposal returns it and the
/// broadcaster sends the same object, so the body's Markdown is rendered once per commit, not once per reader.
/// Keyed by the aggregate instance (a request's tracked proposal) and its version; it goes when the instance goes.
/// </summary>
public sealed class ProposalViews(MarkdownRenderer markdown)
{
    private sealed record Built(int Version, Lazy<ProposalDto> View);

    private readonly ConditionalWeakTable<Proposal, Built> _built = [];

    public ProposalDto Of(Proposal proposal)
    {
        if (_built.TryGetValue(proposal, out var built) && built.Version == proposal.Version) return built.View.Value;
        built = new Built(proposal.Version, new Lazy<ProposalDto>(() => ProposalDto.From(proposal, markdown)));
        _built.AddOrUpdate(proposal, built);
        return built.View.Value;
    }
}
