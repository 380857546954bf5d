namespace Gme.Pipeline.Evaluation;

/// <summary>The metrics of one query (k = <see cref="EvaluationReport.K"/>).</summary>
public sealed record QueryEvaluation(
    string Query,
    string Relevance,
    long TotalRelevant,
    double Precision,
    double Recall,
    double Ndcg10,
    double ReciprocalRank,
    IReadOnlyList<string> TopIds);

/// <summary>
/// A query set's evaluation: means over the queries (precision@k, recall@k, nDCG@10, MRR) and each query's figures.
/// The shape a quality gate compares against a threshold or the live version's report.
/// </summary>
public sealed record EvaluationReport(
    string Collection,
    string Mode,
    int K,
    int Queries,
    double Precision,
    double Recall,
    double Ndcg10,
    double Mrr,
    IReadOnlyList<QueryEvaluation> PerQuery);
