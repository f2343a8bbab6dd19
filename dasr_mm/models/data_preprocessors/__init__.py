from .dasr_data_preprocessor import DASRDataPreprocessor

__all__ = ['DASRDataPreprocessor']
