package devicetest

// table lists every case; a new op adds its case here.
var table = []Case{
	addCase, subCase, mulCase, divCase, scaleCase,
	matmulNNCase, matmulTNCase, matmulNTCase, matmulTTCase,
	linearCase, linearNoBiasCase,
	reshapeCase, permuteCase, permute3Case, transposeCase,
	concatCase, concat0Case, sliceCase, sliceViewCase, splitCase,
	embeddingCase,
	sumCase, meanCase, sumAllCase, meanAllCase,
	softmaxCase, logSoftmaxCase, maskedSoftmaxCase, maskedSoftmaxNoMaskCase,
	layerNormCase, layerNormPlainCase,
	geluCase, geluTanhCase, tanhCase, reluCase, sigmoidCase, expCase, logCase, sqrtCase, squareCase,
	dropoutCase,
	crossEntropyCase, crossEntropySumCase,
	attentionCase,
}
