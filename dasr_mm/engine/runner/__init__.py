from .two_stage_train_loop import DASRTwoStageTrainLoop

__all__ = ['DASRTwoStageTrainLoop']
